// Tags (field number << 3 | wire type) of casty/v1/value.proto, precomputed for the encoder and the
// decoder; test/serialization/serialization.test.ts checks them against the generated code.

/** Manifest of plain-data payloads: the bytes are one `casty.v1.Value`. */
export const VALUE_MANIFEST = "casty.v1.Value";

/** Nesting limit for containers, on both sides: protects the stack and turns cycles into errors. */
export const MAX_DEPTH = 256;

/** `Value.kind` cases. */
export const Kind = {
  Null: 0x08, // 1, varint
  Undefined: 0x10, // 2, varint
  Bool: 0x18, // 3, varint
  Number: 0x21, // 4, fixed64
  String: 0x2a, // 5, length-delimited
  Bytes: 0x32, // 6
  BigInt: 0x3a, // 7
  Date: 0x41, // 8, fixed64
  List: 0x4a, // 9
  Object: 0x52, // 10
  Map: 0x5a, // 11
  Set: 0x62, // 12
  ActorRef: 0x6a, // 13
  Class: 0x72, // 14
  Message: 0x7a, // 15
} as const;

/** The other messages only use these: field 1 or 2 as varint or length-delimited. */
export const FIELD1_VARINT = 0x08;
export const FIELD1 = 0x0a;
export const FIELD2 = 0x12;
