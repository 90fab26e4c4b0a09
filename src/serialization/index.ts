export { DeserializationError, SerializationError, UnknownManifestError } from "./errors.js";
export type { RefCodec } from "./ref-codec.js";
export { ProtoFileError, type ProtoFileOptions } from "./proto-file.js";
export type { KeyedCodec } from "./keyed.js";
export type { ProtobufCodec } from "./registry.js";
export { Serialization, type SerializedMessage } from "./serialization.js";
export { MAX_DEPTH, VALUE_MANIFEST } from "./wire.js";
export { markWriter, openForks, rollbackWriter, writerPosition, type WriterMark } from "./writer-state.js";
export { Upcasters, type Upcaster } from "./upcasters.js";
