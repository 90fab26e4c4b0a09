import type { Serialization } from "../serialization/index.js";

/**
 * A value as the wire encodes it: checked (and encoded) once where the call is made, so an
 * unserializable value rejects there and changes nothing; entities keep and compare the bytes.
 */
export interface EncodedValue {
  readonly manifest: string;
  readonly bytes: Uint8Array;
}

/** Throws `SerializationError` for a value the wire cannot carry. */
export function encodeValue(serialization: Serialization, value: unknown): EncodedValue {
  const { manifest, bytes } = serialization.serialize(value);
  return { manifest, bytes };
}

export function decodeValue(serialization: Serialization, value: EncodedValue): unknown {
  return serialization.deserialize(value.manifest, value.bytes);
}

/** Equal values (same manifest and bytes) have equal identities: set members, map keys. */
export function valueIdentity(value: EncodedValue): string {
  return `${value.manifest}\u0000${Buffer.from(value.bytes.buffer, value.bytes.byteOffset, value.bytes.byteLength).toString("base64url")}`;
}
