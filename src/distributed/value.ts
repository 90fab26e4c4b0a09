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

/**
 * A queue item as it is kept and sent: a string, number, boolean or null as itself (the wire always
 * carries one, and it is immutable), anything else encoded where the call is made.
 */
export type Item = EncodedValue | string | number | boolean | null;

/** Throws `SerializationError` for a value the wire cannot carry. */
export function encodeItem(serialization: Serialization, value: unknown): Item {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return value;
    default:
      return value === null ? null : encodeValue(serialization, value);
  }
}

export function decodeItem(serialization: Serialization, item: Item): unknown {
  return typeof item === "object" && item !== null ? decodeValue(serialization, item) : item;
}
