import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { ValueDecoder } from "./decoder.js";
import { EncodeFailure } from "./encode-failure.js";
import { ValueEncoder } from "./encoder.js";
import { KeyedWrappers, type KeyedCodec } from "./keyed.js";
import { loadProtoFile, type ProtoFileOptions } from "./proto-file.js";
import { DeserializationError } from "./errors.js";
import type { RefCodec } from "./ref-codec.js";
import { TypeRegistry, type ProtobufCodec } from "./registry.js";
import { Upcasters, type Upcaster } from "./upcasters.js";
import { VALUE_MANIFEST } from "./wire.js";
import { checkWriterLayout, openForks, rollbackWriter, takeWritten, writerPosition } from "./writer-state.js";

export interface SerializedMessage {
  /** `"casty.v1.Value"` for plain data, else the full name of the registered Protobuf type. */
  readonly manifest: string;
  readonly bytes: Uint8Array;
}

/**
 * Turns messages into payloads and back. Plain data needs no registration; application classes
 * (`registerClass`) and ts-proto messages tagged with `$type` (`registerProtobuf`) register once per node.
 */
export class Serialization {
  private readonly registry = new TypeRegistry();
  private readonly encoder: ValueEncoder;
  private readonly decoder: ValueDecoder;
  /** Reused by `serialize`, so that its buffer grows once instead of per message. */
  private readonly scratch = new BinaryWriter();
  /** Event evolution: what the journals apply to stored values written at an older version. */
  readonly upcasters = new Upcasters();
  /** Wrapper classes that remoting carries as key and forward count around their message (see KeyedCodec). */
  readonly keyed = new KeyedWrappers();

  constructor(refs: RefCodec) {
    checkWriterLayout();
    this.encoder = new ValueEncoder(this.registry, refs);
    this.decoder = new ValueDecoder(this.registry, refs);
  }

  /** Instances of `ctor` travel as their own enumerable fields and arrive with `ctor.prototype`. */
  registerClass(ctor: abstract new (...args: never[]) => object, name: string): void {
    this.registry.registerClass(ctor, name);
  }

  /**
   * Instances of `classes` (exactly these, not subclasses) travel between nodes as their message, with
   * key and forward count in the remoting envelope; the receiver rebuilds them with `codec.wrap`.
   * Other uses of `serialize` (and other languages) still see them as registered classes.
   */
  registerKeyed<W extends object>(classes: readonly (abstract new (...args: never[]) => W)[], codec: KeyedCodec<W>): void {
    this.keyed.register(classes, codec);
  }

  /** Plain objects whose `$type` is `typeName` travel as `codec`'s bytes, under that manifest. */
  registerProtobuf<T extends object>(typeName: string, codec: ProtobufCodec<T>): void {
    this.registry.registerProtobuf(typeName, codec);
  }

  /**
   * Registers every message type the `.proto` file at `path` defines, parsed at run time (no code
   * generation). Their messages are plain objects tagged with `$type`, as ts-proto's; they travel as
   * their own bytes under their full type name. Returns the names registered. Throws `ProtoFileError`
   * for a missing file, a parse error or an unresolvable type.
   */
  registerProtoFile(path: string, options?: ProtoFileOptions): string[] {
    const codecs = loadProtoFile(path, options);
    for (const [typeName, codec] of codecs) this.registry.registerProtobuf(typeName, codec);
    return [...codecs.keys()];
  }

  /**
   * Stored values with `manifest` (`"casty.v1.Value"` for plain data) written at `fromVersion` are read
   * through `upcast` (then the later versions' upcasters): register 0, 1, 2, … in order; values written
   * from then on are at the next version. Applied on replay and in the read side's queries.
   */
  registerUpcaster(manifest: string, fromVersion: number, upcast: Upcaster): void {
    this.upcasters.register(manifest, fromVersion, upcast);
  }

  serialize(message: unknown): SerializedMessage {
    const manifest = this.serializeInto(message, this.scratch);
    return { manifest, bytes: takeWritten(this.scratch) };
  }

  /**
   * Appends the payload bytes (no length prefix) to `writer` and returns the manifest. On failure the
   * writer is left as it was and a `SerializationError` names the offending field.
   */
  serializeInto(message: unknown, writer: BinaryWriter): string {
    const pos = writerPosition(writer);
    const forks = openForks(writer);
    try {
      return this.encoder.payload(writer, message);
    } catch (e) {
      rollbackWriter(writer, { pos, forks });
      throw EncodeFailure.from(e).toError();
    }
  }

  deserialize(manifest: string, bytes: Uint8Array): unknown {
    return this.deserializeFrom(manifest, new BinaryReader(bytes), bytes.length);
  }

  /**
   * Reads a payload of `length` bytes at the reader's position and leaves the reader after it, also
   * on failure, so that a batch can go on with its next envelope. Throws `DeserializationError`
   * (`UnknownManifestError` for a manifest this node does not know).
   */
  deserializeFrom(manifest: string, reader: BinaryReader, length: number): unknown {
    const end = reader.pos + length;
    try {
      if (end > reader.len) throw new DeserializationError(`malformed payload: ${length} bytes announced, fewer available`);
      const message = manifest === VALUE_MANIFEST ? this.decoder.value(reader, end, 0) : this.registry.decodeProtobuf(manifest, reader, length);
      if (reader.pos !== end) throw new DeserializationError(`malformed ${manifest} payload: it runs past its length`);
      return message;
    } catch (e) {
      if (e instanceof DeserializationError) throw e;
      throw new DeserializationError(`malformed ${manifest} payload: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    } finally {
      reader.pos = Math.min(end, reader.len);
    }
  }
}
