import type { BinaryWriter } from "@bufbuild/protobuf/wire";

// BinaryWriter keeps its buffer, position and open forks in TypeScript-private fields. Undoing a
// half-written message needs the position and forks: a transport that encodes envelopes straight into
// a batch must be able to drop one. Copying out needs the buffer (see takeWritten).
interface WriterState {
  buffer: Uint8Array;
  pos: number;
  stackPos: number[];
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
