// Gateway payloads are google.protobuf.Any: the manifest of casty's serialization (a registered
// Protobuf type's full name, or "casty.v1.Value" for plain data) under the usual type URL prefix.
import type { Any } from "../../gen/google/protobuf/any.js";
import type { SerializedMessage } from "../serialization/serialization.js";

export const TYPE_URL_PREFIX = "type.googleapis.com/";

/** The manifest of an Any: its type URL after the last "/" (any prefix is accepted, as Protobuf does). */
export function manifestOf(any: Any): string {
  return any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1);
}

export function toAny(payload: SerializedMessage): Any {
  const bytes = payload.bytes;
  return { typeUrl: TYPE_URL_PREFIX + payload.manifest, value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
