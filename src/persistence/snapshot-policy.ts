import { requirePositive } from "../actor/errors.js";

/** Decides after a persist whether to save the new state as a snapshot. */
export interface SnapshotPolicy {
  /** `fromSeqNr` was the highest before the persist, `toSeqNr` is the highest after it. */
  shouldSnapshot(fromSeqNr: number, toSeqNr: number): boolean;
}

/** A snapshot each time the sequence number passes a multiple of `n`: recovery replays fewer than `n` events. */
export class SnapshotEvery implements SnapshotPolicy {
  constructor(readonly n: number) {
    requirePositive(n, "SnapshotEvery(n)", { integer: true });
  }

  shouldSnapshot(fromSeqNr: number, toSeqNr: number): boolean {
    return Math.floor(fromSeqNr / this.n) !== Math.floor(toSeqNr / this.n);
  }
}
