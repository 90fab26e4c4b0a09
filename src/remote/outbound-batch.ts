import { BinaryWriter } from "@bufbuild/protobuf/wire";
import type { ActorRef } from "../actor/ref.js";
import { KeyTable } from "./key-table.js";
import { TAG } from "./protocol.js";
import { openForks, rollbackWriter, SerializationError, takeWritten, writerPosition, writeString, type Serialization } from "../serialization/index.js";
import { writeVarintField } from "../serialization/writer-state.js";

/** Paths of ask reply refs: each is used once, so they travel in their envelope, not in the string table. */
const ONE_OFF_PATHS = "/temp/";

/** A batch ready for the stream, with what it carries (to report dead letters if it cannot go). */
export interface SealedBatch {
  readonly frame: Buffer;
  readonly messages: unknown[];
  readonly recipients: ActorRef<never>[];
  /** The string table the batch was encoded against, and how many of its strings earlier batches defined. */
  readonly keyTable: readonly string[];
  readonly keysBefore: number;
}

/**
 * A batch without envelopes that defines the first `count` strings of `keyTable` on a new stream:
 * written before a batch sealed for an earlier stream whose strings the new stream's receiver never got.
 */
export function keyTablePreamble(keyTable: readonly string[], count: number): SealedBatch {
  const writer = new BinaryWriter().uint32(TAG.requestBatch).fork();
  writer.uint32(TAG.batchResetStrings).bool(true);
  for (let i = 0; i < count; i++) writer.uint32(TAG.batchString).string(keyTable[i]);
  const bytes = writer.join().finish();
  return { frame: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), messages: [], recipients: [], keyTable, keysBefore: 0 };
}

/**
 * Encodes envelopes straight into one `ConnectRequest{batch}` frame as they are sent. Envelopes come
 * first and the strings they add to the stream's string table last: protobuf accepts repeated fields
 * in any order, so a table entry can be added when it is first needed.
 */
export class OutboundBatch {
  private readonly writer = new BinaryWriter();
  /** The stream's string table: recipient paths, manifests, routing keys. */
  private readonly keys: KeyTable;
  private messages: unknown[] = [];
  private recipients: ActorRef<never>[] = [];
  /** The last recipient path and manifest and their indexes: consecutive envelopes mostly repeat them. */
  private lastPath: string | undefined;
  private lastTarget = 0;
  private lastManifest: string | undefined;
  private lastType = 0;

  constructor(
    private readonly serialization: Serialization,
    private readonly maxMessageSize: number,
    maxKeys?: number,
  ) {
    this.keys = new KeyTable(maxKeys);
    this.reset();
  }

  get count(): number {
    return this.messages.length;
  }

  get bytes(): number {
    return writerPosition(this.writer);
  }

  /** The stream's string table is full: seal now (the next batch starts a new one). */
  get keysFull(): boolean {
    return this.keys.full;
  }

  /**
   * Appends one envelope; throws (leaving the batch as it was) when the message cannot be sent. A
   * keyed wrapper (see KeyedCodec) goes as its message with its key's index in the stream's string table
   * and its forward count in the envelope;
   * `hops` (when not negative) replaces the wrapper's own count; `traceparent` is the sender's trace
   * context, when it traces.
   */
  append(path: string, message: unknown, recipient: ActorRef<never>, hops = -1, traceparent?: string): void {
    const writer = this.writer;
    const pos = writerPosition(writer);
    const forks = openForks(writer);
    const strings = this.keys;
    const stringCount = strings.size;
    const keyed = this.serialization.keyed.of(message);
    let payload = message;
    try {
      writer.uint32(TAG.batchEnvelope).fork();
      if (path !== this.lastPath && path.startsWith(ONE_OFF_PATHS)) writeString(writer, TAG.envelopeTargetPath, path);
      else {
        if (path !== this.lastPath) {
          this.lastTarget = strings.indexOf(path);
          this.lastPath = path;
        }
        if (this.lastTarget !== 0) writeVarintField(writer, TAG.envelopeTarget, this.lastTarget);
      }
      if (keyed !== undefined) {
        const wrapper = message as object;
        writeVarintField(writer, TAG.envelopeKey, strings.indexOf(keyed.key(wrapper)));
        const count = hops < 0 ? keyed.hops(wrapper) : hops;
        if (count !== 0) writeVarintField(writer, TAG.envelopeHops, count);
        payload = keyed.message(wrapper);
      }
      writer.uint32(TAG.envelopePayload).fork();
      const start = writerPosition(writer);
      const manifest = this.serialization.serializeInto(payload, writer);
      const size = writerPosition(writer) - start;
      if (size > this.maxMessageSize) {
        throw new SerializationError(`message to ${recipient.address} is ${size} bytes, above maxMessageSize ${this.maxMessageSize}`);
      }
      writer.join();
      if (manifest !== this.lastManifest) {
        this.lastType = strings.indexOf(manifest);
        this.lastManifest = manifest;
      }
      if (this.lastType !== 0) writeVarintField(writer, TAG.envelopeType, this.lastType);
      if (traceparent !== undefined) writer.uint32(TAG.envelopeTraceparent).string(traceparent);
      writer.join();
    } catch (error) {
      rollbackWriter(writer, { pos, forks });
      strings.dropTo(stringCount);
      this.forgetLast();
      throw error;
    }
    this.messages.push(message);
    this.recipients.push(recipient);
  }

  /** Closes the frame (the strings it adds to the table, length prefix) and starts an empty batch. */
  seal(): SealedBatch {
    const writer = this.writer;
    const keys = this.keys;
    const table = keys.keys;
    if (keys.batchResets) writer.uint32(TAG.batchResetStrings).bool(true);
    for (let i = keys.batchStart; i < table.length; i++) writeString(writer, TAG.batchString, table[i]);
    writer.join();
    const sealed: SealedBatch = {
      frame: takeWritten(writer) as Buffer,
      messages: this.messages,
      recipients: this.recipients,
      keyTable: table,
      keysBefore: keys.batchResets ? 0 : keys.batchStart,
    };
    keys.nextBatch();
    if (keys.batchResets) this.forgetLast();
    this.messages = [];
    this.recipients = [];
    this.reset();
    return sealed;
  }

  /** The table changed under the memo (a rollback, a new table). */
  private forgetLast(): void {
    this.lastPath = undefined;
    this.lastManifest = undefined;
  }

  private reset(): void {
    this.writer.uint32(TAG.requestBatch).fork();
  }
}
