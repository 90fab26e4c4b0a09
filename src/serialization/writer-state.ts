import { BinaryWriter } from "@bufbuild/protobuf/wire";

// BinaryWriter keeps its buffer, position and open forks in TypeScript-private fields. Undoing a
// half-written message needs the position and forks: a transport that encodes envelopes straight into
// a batch must be able to drop one. Copying out needs the buffer (see takeWritten), and the encoder's
// byte-by-byte fast path the buffer and ensureCapacity. package.json pins @bufbuild/protobuf to the
// exact version these fields were checked against; checkWriterLayout refuses any other layout.
export interface WriterState {
  buffer: Uint8Array;
  pos: number;
  stackPos: number[];
  ensureCapacity(size: number): void;
}

let layoutChecked = false;

/** Throws unless BinaryWriter keeps its state in the fields above (checked once per process). */
export function checkWriterLayout(): void {
  if (layoutChecked) return;
  const state = new BinaryWriter().uint32(1).fork().uint32(2) as unknown as Partial<WriterState>;
  const fits =
    state.buffer instanceof Uint8Array &&
    state.buffer[0] === 1 &&
    state.buffer[2] === 2 &&
    state.pos === 3 &&
    Array.isArray(state.stackPos) &&
    state.stackPos.length === 1 &&
    state.stackPos[0] === 1 &&
    typeof state.ensureCapacity === "function";
  if (!fits) {
    throw new Error(
      "casty cannot use this version of @bufbuild/protobuf: its BinaryWriter keeps its state in other fields. Install the exact version casty's package.json names.",
    );
  }
  layoutChecked = true;
}

/** Where a writer stands now, to return to with `rollbackWriter`. */
export interface WriterMark {
  readonly pos: number;
  readonly forks: number;
}

export function markWriter(writer: BinaryWriter): WriterMark {
  return { pos: writerPosition(writer), forks: openForks(writer) };
}

/** Bytes written so far (hot paths read it without allocating a mark). */
export function writerPosition(writer: BinaryWriter): number {
  return (writer as unknown as WriterState).pos;
}

export function openForks(writer: BinaryWriter): number {
  return (writer as unknown as WriterState).stackPos.length;
}

/** Forgets everything written (and every fork opened) since `mark`. */
export function rollbackWriter(writer: BinaryWriter, mark: WriterMark): void {
  const state = writer as unknown as WriterState;
  state.pos = mark.pos;
  state.stackPos.length = mark.forks;
}

/**
 * Like `writer.finish()`, but copies into Node's pooled memory: a small Uint8Array of its own costs
 * far more (its ArrayBuffer is allocated and later swept one by one) than the copy.
 */
export function takeWritten(writer: BinaryWriter): Uint8Array {
  const state = writer as unknown as WriterState;
  const bytes = Buffer.allocUnsafe(state.pos);
  bytes.set(state.buffer.subarray(0, state.pos));
  state.pos = 0;
  state.stackPos.length = 0;
  return bytes;
}

/**
 * Writes a field of one tag byte (field numbers 1 – 15) and a non-negative int32 as a varint, straight
 * into the buffer: the per-envelope fields of a batch, without BinaryWriter's checks and calls.
 */
export function writeVarintField(writer: BinaryWriter, tag: number, value: number): void {
  const state = writer as unknown as WriterState;
  state.ensureCapacity(6);
  const buffer = state.buffer;
  let pos = state.pos;
  buffer[pos++] = tag;
  while (value > 0x7f) {
    buffer[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  buffer[pos++] = value;
  state.pos = pos;
}
