import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { BatchAck, Handshake } from "../../gen/casty/v1/remote.js";
import { routeKeyedFromWire, tellFromWire } from "../actor/internal.js";
import type { ActorRef } from "../actor/ref.js";
import type { Logger } from "../actor/logger.js";
import { contextOf, traced } from "../actor/tracing.js";
import { MAX_STREAM_KEYS } from "./key-table.js";
import type { InboundTable } from "./inbound-table.js";
import type { KeyedRoutes } from "./keyed-routes.js";
import { TAG } from "./protocol.js";
import { DeserializationError, UnknownManifestError, type Serialization } from "../serialization/index.js";

/** A frame that is not a valid `ConnectRequest`: the stream carrying it is closed. */
export class MalformedFrameError extends Error {
  override readonly name = "MalformedFrameError";
}

/** What the receiving side needs to deliver envelopes locally. */
export interface InboundHost {
  readonly serialization: Serialization;
  readonly log: Logger;
  /** The live local actor (or pending ask) at `path`. */
  resolveLocal(path: string): ActorRef<unknown> | undefined;
  /** A stand-in recipient for dead letters to a path where nothing lives. */
  missingRef(path: string): ActorRef<never>;
  deadLetter(message: unknown, recipient: ActorRef<never> | undefined, reason: string): void;
}

/** Payload that could not be decoded, kept whole in its dead letter. */
export interface UndecodablePayload {
  readonly manifest: string;
  readonly bytes: Uint8Array;
}

export type InboundFrame = { kind: "handshake"; handshake: Handshake } | { kind: "batch" } | { kind: "ack"; batches: bigint };

const FIELD_ENVELOPE = TAG.batchEnvelope >>> 3;
const FIELD_STRING = TAG.batchString >>> 3;
const FIELD_RESET_STRINGS = TAG.batchResetStrings >>> 3;

/**
 * Decodes one `ConnectRequest` frame. A batch on an `associated` stream (handshake accepted) is delivered
 * on the spot: envelope by envelope, each payload decoded straight from the frame bytes; a bad envelope
 * becomes a dead letter and the rest go on. A batch before that is reported but not delivered.
 * `table` is the stream's string table and keyed routes, updated by each batch.
 */
export function readFrame(frame: Uint8Array, host: InboundHost, associated: boolean, table: InboundTable): InboundFrame {
  try {
    const reader = new BinaryReader(frame);
    const [field, end] = frameField(reader);
    if (field === TAG.requestHandshake >>> 3) return { kind: "handshake", handshake: Handshake.decode(frame.subarray(reader.pos, end)) };
    if (field === TAG.requestBatchAck >>> 3) return { kind: "ack", batches: BatchAck.decode(frame.subarray(reader.pos, end)).batches };
    if (field !== TAG.requestBatch >>> 3) throw new MalformedFrameError(`unknown frame field ${field}`);
    if (associated) deliverBatch(frame, reader, end, host, table);
    return { kind: "batch" };
  } catch (error) {
    throw malformed(error);
  }
}

/**
 * Delivers a `ConnectResponse` frame when it is a return batch and says true; any other frame is left
 * to the generated decoder (false). `table` is that of the stream's return batches.
 */
export function readReturnBatch(frame: Uint8Array, host: InboundHost, table: InboundTable): boolean {
  if (frame[0] !== TAG.responseReturnBatch) return false;
  try {
    const reader = new BinaryReader(frame);
    const [, end] = frameField(reader);
    deliverBatch(frame, reader, end, host, table);
    return true;
  } catch (error) {
    throw malformed(error);
  }
}

/** Reads a frame's oneof field tag and length: the field number and where its bytes end. */
function frameField(reader: BinaryReader): [number, number] {
  const [field, wireType] = reader.tag();
  if (wireType !== WireType.LengthDelimited) throw new MalformedFrameError(`unexpected wire type ${wireType} for frame field ${field}`);
  const length = reader.uint32();
  if (reader.pos + length > reader.len) throw new MalformedFrameError(`frame announces ${length} bytes, ${reader.len - reader.pos} present`);
  return [field, reader.pos + length];
}

function malformed(error: unknown): MalformedFrameError {
  if (error instanceof MalformedFrameError) return error;
  return new MalformedFrameError(`malformed frame: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

function deliverBatch(frame: Uint8Array, reader: BinaryReader, end: number, host: InboundHost, table: InboundTable): void {
  let newKeys: string[] | undefined;
  let resetKeys = false;
  const envelopes: number[] = []; // start, end pairs: the strings they use may follow them
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (wireType !== WireType.LengthDelimited) {
      if (field === FIELD_RESET_STRINGS && wireType === WireType.Varint) resetKeys = reader.bool();
      else reader.skip(wireType);
      continue;
    }
    if (field === FIELD_ENVELOPE) {
      const length = reader.uint32();
      envelopes.push(reader.pos, reader.pos + length);
      reader.pos += length;
    } else if (field === FIELD_STRING) (newKeys ??= []).push(reader.string());
    else reader.skip(wireType);
  }
  if (reader.pos !== end) throw new MalformedFrameError("batch runs past its frame");
  if (newKeys !== undefined && (resetKeys ? 0 : table.keys.length) + newKeys.length > MAX_STREAM_KEYS) {
    throw new MalformedFrameError(`the stream's string table grows beyond ${MAX_STREAM_KEYS} strings`);
  }
  table.update(resetKeys, newKeys);
  const { keys, routes } = table;
  const recipients: (ActorRef<unknown> | null | undefined)[] = []; // by target index, for this batch
  for (let i = 0; i < envelopes.length; i += 2) deliverEnvelope(frame, reader, envelopes[i], envelopes[i + 1], keys, routes, recipients, host);
}

function deliverEnvelope(
  frame: Uint8Array,
  reader: BinaryReader,
  start: number,
  end: number,
  strings: readonly string[],
  routes: KeyedRoutes,
  recipients: (ActorRef<unknown> | null | undefined)[],
  host: InboundHost,
): void {
  let target = 0;
  let type = 0;
  let payloadStart = -1;
  let payloadLength = 0;
  let keyIndex = -1;
  let hops = 0;
  let traceparent: string | undefined;
  let targetPath: string | undefined;
  reader.pos = start;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === TAG.envelopeTarget) target = reader.int32();
    else if (tag === TAG.envelopeType) type = reader.int32();
    else if (tag === TAG.envelopeKey) keyIndex = reader.int32();
    else if (tag === TAG.envelopeHops) hops = reader.uint32();
    else if (tag === TAG.envelopePayload) {
      payloadLength = reader.uint32();
      payloadStart = reader.pos;
      reader.pos += payloadLength;
    } else if (tag === TAG.envelopeTraceparent) traceparent = reader.string();
    else if (tag === TAG.envelopeTargetPath) targetPath = reader.string();
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the low three bits of a tag are its wire type
    else reader.skip(tag & 7);
  }
  const path = targetPath ?? strings[target];
  const manifest = strings[type];
  const key = keyIndex < 0 ? undefined : strings[keyIndex];
  const keyed = keyIndex < 0 ? undefined : host.serialization.keyed.receiving;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the indexes come from the wire
  if (path === undefined || manifest === undefined || payloadStart < 0 || reader.pos !== end || (keyIndex >= 0 && (key === undefined || keyed === undefined))) {
    host.log.warn(`dropping a malformed envelope (target #${target}, type #${type}, key #${keyIndex})`);
    host.deadLetter(undefined, undefined, "malformed envelope");
    return;
  }
  let recipient = targetPath === undefined ? recipients[target] : undefined;
  if (recipient === undefined) {
    recipient = host.resolveLocal(path) ?? null;
    if (targetPath === undefined) recipients[target] = recipient;
  }
  reader.pos = payloadStart;
  let message: unknown;
  try {
    message = host.serialization.deserializeFrom(manifest, reader, payloadLength);
    if (keyed !== undefined) {
      // an idle router whose entity runs takes key and message as they are (no wrapper to build), with
      // the route it gave for this key last time; its cell contains what the routing throws
      if (recipient !== null && traceparent === undefined) {
        const known = routes.of(keyIndex, recipient);
        const route = routeKeyedFromWire(recipient, key!, message, known);
        if (route !== undefined) {
          if (route !== known) routes.remember(keyIndex, recipient, route);
          reader.pos = end;
          return;
        }
      }
      message = keyed.wrap(key!, message, hops); // throws for a key the wrapper refuses
    }
  } catch (error) {
    const reason = error instanceof UnknownManifestError ? `unknown manifest ${error.manifest}` : (error as DeserializationError).message;
    host.log.warn(`undeliverable message to ${path}: ${reason}`);
    const bytes = frame.slice(payloadStart, payloadStart + payloadLength);
    host.deadLetter({ manifest, bytes } satisfies UndecodablePayload, recipient ?? host.missingRef(path), reason);
    reader.pos = end;
    return;
  }
  reader.pos = end;
  if (recipient === null) host.deadLetter(message, host.missingRef(path), `no actor at ${path}`);
  else if (traceparent === undefined) tellFromWire(recipient, message);
  else tellTraced(recipient, message, traceparent);
}

/** Delivers a message sent within a trace: queued with the sender's context, processed as a span of it. */
function tellTraced(recipient: ActorRef<unknown>, message: unknown, traceparent: string): void {
  const context = contextOf(traceparent);
  if (context === undefined) return recipient.tell(message); // a malformed header is ignored, as W3C says
  traced.current = context;
  traced.fromWire = true;
  try {
    recipient.tell(message);
  } finally {
    traced.current = undefined;
    traced.fromWire = false;
  }
}
