import type { BinaryWriter } from "@bufbuild/protobuf/wire";

// BinaryWriter keeps its position and open forks in TypeScript-private fields. Undoing a half-written
// message needs both: a transport that encodes envelopes straight into a batch must be able to drop one.
interface WriterState {
  pos: number;
  stackPos: number[];
}

/** Where a writer stands now, to return to with `rollbackWriter`. */
export interface WriterMark {
  readonly pos: number;
  readonly forks: number;
}

export function markWriter(writer: BinaryWriter): WriterMark {
  const state = writer as unknown as WriterState;
  return { pos: state.pos, forks: state.stackPos.length };
}

/** Forgets everything written (and every fork opened) since `mark`. */
export function rollbackWriter(writer: BinaryWriter, mark: WriterMark): void {
  const state = writer as unknown as WriterState;
  state.pos = mark.pos;
  state.stackPos.length = mark.forks;
}
