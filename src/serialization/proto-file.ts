import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import protobuf from "protobufjs";
import type { ProtobufCodec } from "./registry.js";

export interface ProtoFileOptions {
  /** Directories searched for the file's `import`s after the importing file's own directory. */
  readonly includeDirs?: readonly string[];
}

/** A `.proto` file that cannot be read, parsed or resolved (a missing import, an unknown type). */
export class ProtoFileError extends Error {
  override readonly name = "ProtoFileError";
}

/** How messages of a registered file look in JavaScript (see the README, "Messages from .proto files"). */
const AS_OBJECT: protobuf.IConversionOptions = { longs: BigInt, enums: Number, defaults: true, arrays: true, objects: true };

/**
 * The message types defined in the `.proto` file at `path` (nested ones included, those of imported
 * files not), each as a codec under its full name, parsed at run time with protobufjs.
 */
export function loadProtoFile(path: string, options: ProtoFileOptions = {}): Map<string, ProtobufCodec<object>> {
  const file = resolve(path);
  if (!existsSync(file)) throw new ProtoFileError(`cannot register ${path}: no such file (looked at ${file})`);
  const root = new protobuf.Root();
  const includeDirs = (options.includeDirs ?? []).map((dir) => resolve(dir));
  root.resolvePath = (origin, target) => importPath(origin, target, includeDirs);
  try {
    root.loadSync(file);
    root.resolveAll();
  } catch (e) {
    throw new ProtoFileError(`cannot register ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const codecs = new Map<string, ProtobufCodec<object>>();
  collect(root, file, codecs);
  if (codecs.size === 0) throw new ProtoFileError(`cannot register ${path}: it defines no message type`);
  return codecs;
}

function importPath(origin: string, target: string, includeDirs: readonly string[]): string {
  if (origin === "" || isAbsolute(target)) return target;
  for (const dir of [dirname(origin), ...includeDirs]) {
    const candidate = join(dir, target);
    if (existsSync(candidate)) return candidate;
  }
  return join(dirname(origin), target); // protobufjs reports it missing, or finds a bundled google/protobuf file
}

function collect(namespace: protobuf.NamespaceBase, file: string, into: Map<string, ProtobufCodec<object>>): void {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type && nested.filename === file) into.set(nested.fullName.slice(1), codecOf(nested));
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) collect(nested, file, into);
  }
}

/** Encodes plain objects (protobufjs's `fromObject` rules) and decodes to plain objects tagged `$type`. */
function codecOf(type: protobuf.Type): ProtobufCodec<object> {
  const typeName = type.fullName.slice(1);
  return {
    encode(message: object, writer = new BinaryWriter()): BinaryWriter {
      return writer.raw(type.encode(type.fromObject(message)).finish());
    },
    decode(input: BinaryReader | Uint8Array, length?: number): object {
      const bytes = input instanceof Uint8Array ? input.subarray(0, length) : copyOut(input, length ?? input.len - input.pos);
      return Object.assign({ $type: typeName }, type.toObject(type.decode(asBuffer(bytes)), AS_OBJECT));
    },
  };
}

/** A Buffer over the same memory: protobufjs then gives bytes fields as Buffers, as ts-proto does on Node. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The next `length` bytes of `reader`, field by field (BinaryReader does not hand out its buffer). */
function copyOut(reader: BinaryReader, length: number): Uint8Array {
  const end = reader.pos + length;
  const writer = new BinaryWriter();
  while (reader.pos < end) {
    const [fieldNo, wireType] = reader.tag();
    writer.tag(fieldNo, wireType).raw(reader.skip(wireType, fieldNo));
  }
  return writer.finish();
}
