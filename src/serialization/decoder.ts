import type { BinaryReader } from "@bufbuild/protobuf/wire";
import { DeserializationError, UnknownManifestError } from "./errors.js";
import type { RefCodec } from "./ref-codec.js";
import type { TypeRegistry } from "./registry.js";
import { StringCache } from "./string-cache.js";
import { FIELD1, FIELD1_VARINT, FIELD2, Kind, MAX_DEPTH } from "./wire.js";

/**
 * Reads `casty.v1.Value` wire bytes straight into JavaScript values. Every length is checked against
 * its enclosing message and every loop consumes input, so bad bytes throw instead of hanging.
 */
export class ValueDecoder {
  private readonly strings = new StringCache();

  constructor(
    private readonly registry: TypeRegistry,
    private readonly refs: RefCodec,
  ) {}

  /** Reads the Value message that runs from the reader's position to `end`. */
  value(r: BinaryReader, end: number, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new DeserializationError(`value nests deeper than ${MAX_DEPTH} levels`);
    let result: unknown;
    // A oneof seen twice keeps the last one, as Protobuf parsers do.
    while (r.pos < end) {
      const tag = r.uint32();
      switch (tag) {
        case Kind.Null:
          r.bool();
          result = null;
          break;
        case Kind.Undefined:
          r.bool();
          result = undefined;
          break;
        case Kind.Bool:
          result = r.bool();
          break;
        case Kind.Number:
          result = r.double();
          break;
        case Kind.String:
          result = r.string();
          break;
        case Kind.Bytes:
          result = new Uint8Array(r.bytes()); // a copy: never alias (and pin) the received buffer
          break;
        case Kind.BigInt:
          result = this.bigint(r, limit(r, end));
          break;
        case Kind.Date:
          result = new Date(r.double());
          break;
        case Kind.List:
          result = this.list(r, limit(r, end), depth, []);
          break;
        case Kind.Object:
          result = this.fields(r, limit(r, end), depth, {});
          break;
        case Kind.Map:
          result = this.map(r, limit(r, end), depth);
          break;
        case Kind.Set:
          result = new Set(this.list(r, limit(r, end), depth, []));
          break;
        case Kind.ActorRef:
          result = this.refs.resolve(r.string()); // not cached: reply addresses are mostly unique (/temp/…)
          break;
        case Kind.Class:
          result = this.instance(r, limit(r, end), depth);
          break;
        case Kind.Message:
          result = this.embedded(r, limit(r, end));
          break;
        default:
          throw unexpected(tag, "Value");
      }
    }
    atEnd(r, end);
    return result;
  }

  private list(r: BinaryReader, end: number, depth: number, items: unknown[]): unknown[] {
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag !== FIELD1) throw unexpected(tag, "ListValue");
      items.push(this.value(r, limit(r, end), depth + 1));
    }
    atEnd(r, end);
    return items;
  }

  /** ObjectValue's fields, set on `target`. */
  private fields(r: BinaryReader, end: number, depth: number, target: object): object {
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag !== FIELD1) throw unexpected(tag, "ObjectValue");
      this.field(r, limit(r, end), depth, target);
    }
    atEnd(r, end);
    return target;
  }

  private field(r: BinaryReader, end: number, depth: number, target: object): void {
    if (this.smallField(r, end, target)) return;
    let key = "";
    let value: unknown;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === FIELD1) key = this.strings.read(r);
      else if (tag === FIELD2) value = this.value(r, limit(r, end), depth + 1);
      else throw unexpected(tag, "ObjectField");
    }
    atEnd(r, end);
    setField(target, key, value);
  }

  /**
   * The usual ObjectField, key then a small number, string, boolean or ref, read without the general
   * machinery (the mirror of the encoder's writeSmallField). Anything else, including every malformed
   * input, is left to the general path: false, and the reader has not moved.
   */
  private smallField(r: BinaryReader, end: number, target: object): boolean {
    const buf = (r as unknown as ReaderState).buf;
    const start = r.pos;
    const keyLength = buf[start + 1];
    if (buf[start] !== FIELD1 || keyLength > 0x7f) return false;
    const valueAt = start + 2 + keyLength;
    const size = buf[valueAt + 1];
    if (buf[valueAt] !== FIELD2 || size > 0x7f || valueAt + 2 + size !== end) return false;
    const kind = buf[valueAt + 2];
    let value: unknown;
    if (kind === Kind.Number && size === 9) {
      for (let i = 0; i < 8; i++) floatBytes[littleEndian ? i : 7 - i] = buf[valueAt + 3 + i]!;
      value = float[0];
    } else if (kind === Kind.Bool && size === 2 && buf[valueAt + 3] < 0x80) {
      value = buf[valueAt + 3] !== 0;
    } else if (kind === Kind.String && size >= 2 && buf[valueAt + 3] === size - 2) {
      r.pos = valueAt + 3;
      value = this.strings.read(r);
    } else if (kind === Kind.ActorRef && size >= 2 && buf[valueAt + 3] === size - 2) {
      r.pos = valueAt + 3;
      value = this.refs.resolve(r.string()); // not cached: ask refs are unique
    } else return false;
    r.pos = start + 1;
    const key = this.strings.read(r);
    r.pos = end;
    setField(target, key, value);
    return true;
  }

  private map(r: BinaryReader, end: number, depth: number): Map<unknown, unknown> {
    const map = new Map<unknown, unknown>();
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag !== FIELD1) throw unexpected(tag, "MapValue");
      const entryEnd = limit(r, end);
      let key: unknown;
      let value: unknown;
      while (r.pos < entryEnd) {
        const entryTag = r.uint32();
        if (entryTag === FIELD1) key = this.value(r, limit(r, entryEnd), depth + 1);
        else if (entryTag === FIELD2) value = this.value(r, limit(r, entryEnd), depth + 1);
        else throw unexpected(entryTag, "MapEntry");
      }
      atEnd(r, entryEnd);
      map.set(key, value);
    }
    atEnd(r, end);
    return map;
  }

  private instance(r: BinaryReader, end: number, depth: number): object {
    // Fields read before class_name (writers normally put it first) wait in a holder without prototype.
    let instance: object = Object.create(null) as object;
    let named = false;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === FIELD1) {
        const name = this.strings.read(r);
        const proto = this.registry.classPrototype(name);
        if (proto === undefined) throw new UnknownManifestError(name);
        const early = instance;
        instance = Object.create(proto) as object;
        for (const key of Object.keys(early)) setField(instance, key, (early as Record<string, unknown>)[key]);
        named = true;
      } else if (tag === FIELD2) {
        this.field(r, limit(r, end), depth, instance);
      } else {
        throw unexpected(tag, "ClassInstance");
      }
    }
    atEnd(r, end);
    if (!named) throw new DeserializationError("malformed payload: ClassInstance without class_name");
    return instance;
  }

  private bigint(r: BinaryReader, end: number): bigint {
    let negative = false;
    let magnitude = 0n;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === FIELD1_VARINT) {
        negative = r.bool();
      } else if (tag === FIELD2) {
        const bytes = r.bytes();
        const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
        magnitude = hex === "" ? 0n : BigInt(`0x${hex}`);
      } else {
        throw unexpected(tag, "BigInteger");
      }
    }
    atEnd(r, end);
    return negative ? -magnitude : magnitude;
  }

  private embedded(r: BinaryReader, end: number): object {
    let type: string | undefined;
    let data: Uint8Array = new Uint8Array(0);
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === FIELD1) type = r.string();
      else if (tag === FIELD2) data = r.bytes();
      else throw unexpected(tag, "EmbeddedMessage");
    }
    atEnd(r, end);
    if (type === undefined) throw new DeserializationError("malformed payload: EmbeddedMessage without type_name");
    return this.registry.decodeProtobuf(type, data);
  }
}

/** Reads a length prefix and returns where that nested message ends, within `end`. */
/** What BinaryReader keeps in a TypeScript-private field (see string-cache.ts). */
interface ReaderState {
  readonly buf: Uint8Array;
}

const float = new Float64Array(1);
const floatBytes = new Uint8Array(float.buffer);
/** Protobuf's fixed64 is little-endian; so is the platform's Float64Array almost everywhere. */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function limit(r: BinaryReader, end: number): number {
  const length = r.uint32();
  const nestedEnd = r.pos + length;
  if (nestedEnd > end) throw new DeserializationError(`malformed payload: a length of ${length} runs past its enclosing message`);
  return nestedEnd;
}

function atEnd(r: BinaryReader, end: number): void {
  if (r.pos !== end) throw new DeserializationError("malformed payload: a field runs past its enclosing message");
}

function unexpected(tag: number, message: string): DeserializationError {
  return new DeserializationError(`malformed payload: unexpected field ${tag >>> 3} (wire type ${tag & 7}) in ${message}`);
}

/** Plain assignment, except that a "__proto__" key becomes an own field instead of a prototype. */
function setField(target: object, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    (target as Record<string, unknown>)[key] = value;
  }
}
