import type { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { UnknownManifestError } from "./errors.js";
import { VALUE_MANIFEST } from "./wire.js";

/** What a ts-proto generated message object (`MessageFns<T>`) offers; any of them fits. */
export interface ProtobufCodec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
}

type AnyClass = abstract new (...args: never[]) => object;

const PROTO_TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Application classes and Protobuf types known by name on this node. */
export class TypeRegistry {
  private readonly classByName = new Map<string, object>();
  private readonly nameByPrototype = new Map<object, string>();
  private readonly protobufs = new Map<string, ProtobufCodec<object>>();

  registerClass(ctor: AnyClass, name: string): void {
    const proto = ctor.prototype as object;
    if (name === "") throw new Error(`registerClass(${ctor.name}): the name must not be empty`);
    const known = this.classByName.get(name);
    if (known === proto) return;
    if (known !== undefined) throw new Error(`registerClass(${ctor.name}, "${name}"): the name is taken by another class`);
    const other = this.nameByPrototype.get(proto);
    if (other !== undefined) throw new Error(`registerClass(${ctor.name}, "${name}"): already registered as "${other}"`);
    this.classByName.set(name, proto);
    this.nameByPrototype.set(proto, name);
  }

  registerProtobuf<T extends object>(typeName: string, codec: ProtobufCodec<T>): void {
    if (!PROTO_TYPE_NAME.test(typeName) || typeName === VALUE_MANIFEST) {
      throw new Error(`registerProtobuf: ${JSON.stringify(typeName)} is not a usable full Protobuf type name`);
    }
    const known = this.protobufs.get(typeName);
    if (known === codec) return;
    if (known !== undefined) throw new Error(`registerProtobuf: "${typeName}" is already registered`);
    this.protobufs.set(typeName, codec);
  }

  className(proto: object): string | undefined {
    return this.nameByPrototype.get(proto);
  }

  classPrototype(name: string): object | undefined {
    return this.classByName.get(name);
  }

  protobuf(typeName: string): ProtobufCodec<object> | undefined {
    return this.protobufs.get(typeName);
  }

  /** Decodes a registered message and tags it with `$type`, so that sending it on keeps its type. */
  decodeProtobuf(typeName: string, input: BinaryReader | Uint8Array, length?: number): object {
    const codec = this.protobufs.get(typeName);
    if (codec === undefined) throw new UnknownManifestError(typeName);
    const message = codec.decode(input, length) as { $type?: string };
    message.$type ??= typeName;
    return message;
  }

  /** The registered type of a plain object tagged `$type` (ts-proto's type annotation), if any. */
  protobufTypeOf(value: object): string | undefined {
    if (this.protobufs.size === 0) return undefined; // spares every plain object a missed lookup
    const type = (value as { $type?: unknown }).$type;
    return typeof type === "string" && this.protobufs.has(type) ? type : undefined;
  }
}
