// Sizes of small Values, known before writing them: the encoder then writes their length prefix
// directly instead of using BinaryWriter's fork/join, which costs more than the scan below.

/** Strings up to this length may be sized up front (their Value then stays under 128 bytes). */
const SHORT_STRING = 32;

/** Byte size of the Value holding `value` when it is small and cheap to know, else -1. */
export function knownSize(value: unknown): number {
  switch (typeof value) {
    case "number":
      return 9; // tag + double
    case "boolean":
    case "undefined":
      return 2; // tag + one-byte varint
    case "string": {
      const length = asciiLength(value);
      return length < 0 ? -1 : 2 + length; // tag + one-byte length + bytes
    }
    default:
      return value === null ? 2 : -1;
  }
}

/** The UTF-8 length of a short ASCII string (its `length`), else -1. */
export function asciiLength(text: string): number {
  const length = text.length;
  if (length > SHORT_STRING) return -1;
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) > 0x7f) return -1;
  return length;
}
