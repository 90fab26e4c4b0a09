import type { BinaryWriter } from "@bufbuild/protobuf/wire";
import { PromiseRef } from "../actor/ask.js";
import { isActorRef } from "../actor/ref.js";
import { EncodeFailure, at, mapKeySegment, mapValueSegment, propertySegment } from "./encode-failure.js";
import { asciiLength, knownSize } from "./known-size.js";
import type { RefCodec } from "./ref-codec.js";
import type { TypeRegistry } from "./registry.js";
import { FIELD1, FIELD1_VARINT, FIELD2, Kind, MAX_DEPTH, VALUE_MANIFEST } from "./wire.js";
import type { WriterState } from "./writer-state.js";

const ADDRESS_CACHE_SIZE = 1024;

/**
 * Writes JavaScript values straight into a BinaryWriter in the wire format of `casty.v1.Value`,
 * without building the message tree first. Throws `EncodeFailure`.
 */
export class ValueEncoder {
  /** UTF-8 of recent ref addresses: they repeat, and BinaryWriter is slow on strings over 32 chars. */
  private readonly addresses = new Map<string, Uint8Array>();

  constructor(
    private readonly registry: TypeRegistry,
    private readonly refs: RefCodec,
  ) {}

  /** Writes a whole payload and returns its manifest: a registered Protobuf message as itself, else a Value. */
  payload(w: BinaryWriter, message: unknown): string {
    if (typeof message === "object" && message !== null) {
      const proto: unknown = Object.getPrototypeOf(message);
      if (proto === Object.prototype || proto === null) {
        const type = this.registry.protobufTypeOf(message);
        if (type !== undefined) {
          this.registry.protobuf(type)!.encode(message, w);
          return type;
        }
        this.plainObject(w, message, 0); // the common case, without a second look at its prototype
        return VALUE_MANIFEST;
      }
    }
    this.value(w, message, 0);
    return VALUE_MANIFEST;
  }

  /** Writes the fields of one Value message holding `value`. */
  private value(w: BinaryWriter, value: unknown, depth: number): void {
    switch (typeof value) {
      case "string":
        w.uint32(Kind.String).string(value);
        return;
      case "number":
        w.uint32(Kind.Number).double(value);
        return;
      case "boolean":
        w.uint32(Kind.Bool).bool(value);
        return;
      case "undefined":
        w.uint32(Kind.Undefined).bool(true);
        return;
      case "bigint":
        this.bigint(w, value);
        return;
      case "object":
        if (value === null) w.uint32(Kind.Null).bool(true);
        else this.object(w, value, depth);
        return;
      default:
        throw new EncodeFailure(`is a ${typeof value}`);
    }
  }

  /** Writes `value` as a nested Value under `tag`. */
  private nested(w: BinaryWriter, tag: number, value: unknown, depth: number): void {
    const size = knownSize(value);
    if (size >= 0) {
      w.uint32(tag).uint32(size);
      this.value(w, value, depth);
      return;
    }
    w.uint32(tag).fork();
    this.value(w, value, depth);
    w.join();
  }

  private object(w: BinaryWriter, value: object, depth: number): void {
    if (depth >= MAX_DEPTH) throw EncodeFailure.tooDeep();
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const type = this.registry.protobufTypeOf(value);
      if (type !== undefined) return this.embedded(w, type, value);
      this.plainObject(w, value, depth);
    } else if (proto === Array.prototype) {
      this.list(w, value as unknown[], depth + 1);
    } else if (isActorRef(value)) {
      this.ref(w, value, this.refs.addressOf(value));
    } else {
      this.other(w, value, proto as object, depth);
    }
  }

  /** A plain object (no registered Protobuf type) as a Value of its fields. */
  private plainObject(w: BinaryWriter, value: object, depth: number): void {
    w.uint32(Kind.Object).fork();
    this.fields(w, value, FIELD1, depth + 1);
    w.join();
  }

  /** Registered classes come first, so that a registered subclass of Uint8Array keeps its class. */
  private other(w: BinaryWriter, value: object, proto: object, depth: number): void {
    const name = this.registry.className(proto);
    if (name !== undefined) {
      w.uint32(Kind.Class).fork().uint32(FIELD1).string(name);
      this.fields(w, value, FIELD2, depth + 1);
      w.join();
    } else if (value instanceof Uint8Array) {
      w.uint32(Kind.Bytes).bytes(value);
    } else if (proto === Date.prototype) {
      w.uint32(Kind.Date).double((value as Date).getTime());
    } else if (proto === Map.prototype) {
      this.map(w, value as Map<unknown, unknown>, depth + 1);
    } else if (proto === Set.prototype) {
      this.set(w, value as Set<unknown>, depth + 1);
    } else {
      const ctor = (value as { constructor?: { name?: unknown } }).constructor?.name;
      const what = typeof ctor === "string" && ctor !== "" ? ctor : "an anonymous class";
      throw new EncodeFailure(`is an instance of ${what}, which is neither plain data nor a registered class (see registerClass)`);
    }
  }

  /** Own enumerable string-keyed fields, as `ObjectField`s under `entryTag`. */
  private fields(w: BinaryWriter, value: object, entryTag: number, depth: number): void {
    const keys = Object.keys(value);
    let i = 0;
    try {
      for (; i < keys.length; i++) {
        const key = keys[i];
        const item = (value as Record<string, unknown>)[key];
        const keyLength = asciiLength(key);
        const size = keyLength < 0 ? -1 : knownSize(item);
        // Both lengths fit one byte: ObjectField = tag, length, key (2 + keyLength), tag, length, value.
        if (size >= 0) writeSmallField(w, entryTag, key, keyLength, item, size, Kind.String);
        else this.field(w, entryTag, key, keyLength, item, depth);
      }
    } catch (e) {
      throw at(e, propertySegment(keys[i]), value);
    }
  }

  /** One ObjectField of any value; a ref with a short address (an ask's bare path, see Remoting.addressOf) as a small field. */
  private field(w: BinaryWriter, entryTag: number, key: string, keyLength: number, item: unknown, depth: number): void {
    if (!isActorRef(item)) {
      w.uint32(entryTag).fork().uint32(FIELD1).string(key);
      this.nested(w, FIELD2, item, depth);
      w.join();
      return;
    }
    const address = this.refs.addressOf(item);
    const length = keyLength < 0 ? -1 : asciiLength(address);
    if (length >= 0) return writeSmallField(w, entryTag, key, keyLength, address, 2 + length, Kind.ActorRef);
    w.uint32(entryTag).fork().uint32(FIELD1).string(key).uint32(FIELD2).fork();
    this.ref(w, item, address);
    w.join().join();
  }

  private list(w: BinaryWriter, items: unknown[], depth: number): void {
    w.uint32(Kind.List).fork();
    let i = 0;
    try {
      for (; i < items.length; i++) this.nested(w, FIELD1, items[i], depth);
    } catch (e) {
      throw at(e, `[${i}]`, items);
    }
    w.join();
  }

  private set(w: BinaryWriter, items: Set<unknown>, depth: number): void {
    w.uint32(Kind.Set).fork();
    let i = 0;
    try {
      for (const item of items) {
        this.nested(w, FIELD1, item, depth);
        i++;
      }
    } catch (e) {
      throw at(e, `[set item #${i}]`, items);
    }
    w.join();
  }

  private map(w: BinaryWriter, entries: Map<unknown, unknown>, depth: number): void {
    w.uint32(Kind.Map).fork();
    let i = 0;
    for (const [key, value] of entries) {
      w.uint32(FIELD1).fork();
      try {
        this.nested(w, FIELD1, key, depth);
      } catch (e) {
        throw at(e, mapKeySegment(i), entries);
      }
      try {
        this.nested(w, FIELD2, value, depth);
      } catch (e) {
        throw at(e, mapValueSegment(key, i), entries);
      }
      w.join();
      i++;
    }
    w.join();
  }

  /** The fields of a Value holding the ref at `address`. */
  private ref(w: BinaryWriter, ref: object, address: string): void {
    // an ask's reply ref has an address of its own that never recurs: caching its bytes only churns
    if (ref instanceof PromiseRef) writeString(w, Kind.ActorRef, address);
    else w.uint32(Kind.ActorRef).bytes(this.addressBytes(address));
  }

  private addressBytes(address: string): Uint8Array {
    let bytes = this.addresses.get(address);
    if (bytes === undefined) {
      if (this.addresses.size >= ADDRESS_CACHE_SIZE) this.addresses.clear();
      bytes = Buffer.from(address, "utf8");
      this.addresses.set(address, bytes);
    }
    return bytes;
  }

  /** Sign and big-endian magnitude (see BigInteger in value.proto). */
  private bigint(w: BinaryWriter, value: bigint): void {
    w.uint32(Kind.BigInt).fork();
    if (value < 0n) {
      w.uint32(FIELD1_VARINT).bool(true);
      value = -value;
    }
    if (value !== 0n) {
      const hex = value.toString(16);
      w.uint32(FIELD2).bytes(Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, "hex"));
    }
    w.join();
  }

  private embedded(w: BinaryWriter, type: string, message: object): void {
    w.uint32(Kind.Message).fork().uint32(FIELD1).string(type).uint32(FIELD2).fork();
    this.registry.protobuf(type)!.encode(message, w);
    w.join().join();
  }
}

const float = new Float64Array(1);
const floatBytes = new Uint8Array(float.buffer);
/** Protobuf's fixed64 is little-endian; so is the platform's Float64Array almost everywhere. */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * One ObjectField whose key is short ASCII and whose value is small and sized (see knownSize),
 * written byte by byte: the common case of messages like `{ kind: "tick", n: 1 }`, where going through
 * BinaryWriter's checked calls costs more than the bytes themselves. A string goes as `stringKind`
 * (a short ref's address as Kind.ActorRef).
 */
function writeSmallField(w: BinaryWriter, entryTag: number, key: string, keyLength: number, value: unknown, size: number, stringKind: number): void {
  const raw = w as unknown as WriterState;
  if (raw.pos + 6 + keyLength + size > raw.buffer.length) raw.ensureCapacity(6 + keyLength + size);
  const buf = raw.buffer;
  let pos = raw.pos;
  buf[pos++] = entryTag;
  buf[pos++] = 4 + keyLength + size;
  buf[pos++] = FIELD1;
  buf[pos++] = keyLength;
  for (let i = 0; i < keyLength; i++) buf[pos++] = key.charCodeAt(i);
  buf[pos++] = FIELD2;
  buf[pos++] = size;
  switch (typeof value) {
    case "number":
      buf[pos++] = Kind.Number;
      float[0] = value;
      // byte by byte: `buf.set` of 8 bytes costs a builtin call, several times these stores
      for (let i = 0; i < 8; i++) buf[pos + i] = floatBytes[littleEndian ? i : 7 - i]!;
      pos += 8;
      break;
    case "string":
      buf[pos++] = stringKind;
      buf[pos++] = value.length;
      for (let i = 0; i < value.length; i++) buf[pos++] = value.charCodeAt(i);
      break;
    case "boolean":
      buf[pos++] = Kind.Bool;
      buf[pos++] = value ? 1 : 0;
      break;
    case "undefined":
      buf[pos++] = Kind.Undefined;
      buf[pos++] = 1;
      break;
    default: // null
      buf[pos++] = Kind.Null;
      buf[pos++] = 1;
  }
  raw.pos = pos;
}

/** A string field under a one-byte `tag`, ASCII under 128 chars copied byte by byte (BinaryWriter is slow on strings over 32 chars). */
export function writeString(w: BinaryWriter, tag: number, text: string): void {
  const length = text.length;
  if (length < 0x80) {
    const raw = w as unknown as WriterState;
    raw.ensureCapacity(length + 2);
    const buf = raw.buffer;
    let pos = raw.pos;
    buf[pos++] = tag;
    buf[pos++] = length;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) {
        w.uint32(tag).string(text); // nothing counted yet: raw.pos is where it was
        return;
      }
      buf[pos++] = code;
    }
    raw.pos = pos;
    return;
  }
  w.uint32(tag).string(text);
}
