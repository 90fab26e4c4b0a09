import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { PersistedSnapshot } from "../../gen/casty/v1/persistence.js";
import type { ActorRef } from "../actor/ref.js";
import { markWriter, rollbackWriter, Serialization, SerializationError, type RefCodec } from "../serialization/index.js";
import { takeWritten } from "../serialization/writer-state.js";
import { JournalCorruptError } from "./errors.js";
import { noTags, type JournalEntry, type SnapshotEntry } from "./journal.js";

/** Refs need a system to resolve against: a journal without one stores plain data only. */
const noRefs: RefCodec = {
  addressOf(ref: ActorRef<unknown>): string {
    throw new SerializationError(
      `an ActorRef (${ref.path}) cannot be stored by a journal without the system's serialization: pass { serialization: system.serialization }`,
    );
  },
  resolve(address: string): ActorRef<unknown> {
    throw new SerializationError(`a stored ActorRef (${address}) needs a journal built with { serialization: system.serialization }`);
  },
};

/** A serialization registry for journals used without remoting: plain data and registered types. */
export function standaloneSerialization(): Serialization {
  return new Serialization(noRefs);
}

/**
 * Turns events and snapshots into `casty.v1.PersistedEvent` / `PersistedSnapshot` bytes and back,
 * through the same serialization registry as the wire.
 */
export class RowCodec {
  /** Reused for every row, so that its buffer grows once instead of per event. */
  private readonly writer = new BinaryWriter();

  constructor(private readonly serialization: Serialization) {}

  /**
   * A `PersistedEvent`, written field by field with the payload serialized in place (no intermediate
   * copy; the manifest, known only after the payload, follows it: field order is free in Protobuf).
   * Throws `SerializationError` naming the field that cannot be stored.
   */
  encodeEvent(entityId: string, seqNr: number, event: unknown, timestamp: number, writerUid: string, tags: readonly string[] = noTags): Uint8Array {
    const w = this.writer;
    const mark = markWriter(w);
    w.uint32(10).string(entityId).uint32(16).uint64(seqNr).uint32(34).fork();
    try {
      const manifest = this.serialization.serializeInto(event, w);
      w.join().uint32(26).string(manifest);
      const version = this.serialization.upcasters.currentVersion(manifest);
      if (version > 0) w.uint32(64).uint32(version);
    } catch (error) {
      rollbackWriter(w, mark);
      throw error;
    }
    w.uint32(40).int64(Math.round(timestamp));
    if (writerUid !== "") w.uint32(50).string(writerUid);
    for (const tag of tags) w.uint32(58).string(tag);
    return takeWritten(w);
  }

  /**
   * Reads a `PersistedEvent` field by field (numbers without bigints, the payload in place). Throws
   * `JournalCorruptError` for a row that does not decode or does not belong where it is stored.
   */
  decodeEvent(entityId: string, seqNr: number, row: Uint8Array): JournalEntry {
    try {
      const r = new BinaryReader(row);
      let storedId = "";
      let storedSeqNr = 0;
      let manifest = "";
      let payloadAt = -1;
      let payloadLength = 0;
      let timestamp = 0;
      let writerUid = "";
      let tags: string[] | undefined;
      let version = 0;
      while (r.pos < r.len) {
        const tag = r.uint32();
        if (tag === 10) storedId = r.string();
        else if (tag === 16) storedSeqNr = varint(r, row);
        else if (tag === 26) manifest = r.string();
        else if (tag === 34) {
          payloadLength = r.uint32();
          payloadAt = r.pos;
          r.pos += payloadLength;
        } else if (tag === 40) timestamp = varint(r, row);
        else if (tag === 50) writerUid = r.string();
        else if (tag === 58) (tags ??= []).push(r.string());
        else if (tag === 64) version = r.uint32();
        else r.skip(wireType(tag));
      }
      if (storedId !== entityId || storedSeqNr !== seqNr) throw new Error(`the row holds entity ${JSON.stringify(storedId)} event ${storedSeqNr}`);
      if (payloadAt < 0 || r.pos > r.len) throw new Error("the payload is missing or cut short");
      r.pos = payloadAt;
      const event = this.serialization.upcasters.upcast(manifest, version, this.serialization.deserializeFrom(manifest, r, payloadLength));
      return { entityId, seqNr, event, timestamp, writerUid, tags: tags ?? noTags };
    } catch (error) {
      throw corrupt(`event ${seqNr} of entity ${JSON.stringify(entityId)}`, error);
    }
  }

  encodeSnapshot(entityId: string, seqNr: number, state: unknown, timestamp: number): Uint8Array {
    const { manifest, bytes } = this.serialization.serialize(state);
    const version = this.serialization.upcasters.currentVersion(manifest);
    return PersistedSnapshot.encode({
      entityId,
      seqNr: BigInt(seqNr),
      manifest,
      payload: bytes as Buffer,
      timestamp: BigInt(Math.round(timestamp)),
      version,
    }).finish();
  }

  decodeSnapshot(entityId: string, row: Uint8Array): SnapshotEntry {
    try {
      const s = PersistedSnapshot.decode(row);
      if (s.entityId !== entityId) throw new Error(`the row holds entity ${JSON.stringify(s.entityId)}`);
      const state = this.serialization.upcasters.upcast(s.manifest, s.version, this.serialization.deserialize(s.manifest, s.payload));
      return { entityId, seqNr: Number(s.seqNr), state, timestamp: Number(s.timestamp) };
    } catch (error) {
      throw corrupt(`the snapshot of entity ${JSON.stringify(entityId)}`, error);
    }
  }
}

function corrupt(what: string, error: unknown): JournalCorruptError {
  return new JournalCorruptError(`${what} does not decode: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/** An unsigned varint of up to 53 bits as a number (sequence numbers, timestamps). */
function varint(r: BinaryReader, bytes: Uint8Array): number {
  let value = 0;
  for (let scale = 1; scale < 2 ** 56; scale *= 128) {
    if (r.pos >= bytes.length) throw new Error("a varint is cut short");
    const byte = bytes[r.pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
  }
  throw new Error("a varint is too long for a sequence number or timestamp");
}

const WIRE_TYPES = [WireType.Varint, WireType.Bit64, WireType.LengthDelimited, WireType.StartGroup, WireType.EndGroup, WireType.Bit32];

/** The wire type of a field to skip (one a later version of the row added). */
function wireType(tag: number): WireType {
  if ((tag & 7) >= WIRE_TYPES.length) throw new Error(`wire type ${tag & 7} is not Protobuf`);
  return WIRE_TYPES[tag & 7];
}
