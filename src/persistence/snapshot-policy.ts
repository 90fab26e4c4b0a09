import { requirePositive } from "../actor/errors.js";

/** What to delete once a snapshot is saved: snapshots and events with sequence numbers up to these (0: none). */
export interface Retention {
  readonly snapshotsTo: number;
  readonly eventsTo: number;
}

/** Decides after a persist whether to save the new state as a snapshot, and what the snapshot makes obsolete. */
export interface SnapshotPolicy {
  /** `fromSeqNr` was the highest before the persist, `toSeqNr` is the highest after it. */
  shouldSnapshot(fromSeqNr: number, toSeqNr: number): boolean;
  /** After the snapshot at `seqNr` is saved: what to delete (absent: nothing, every snapshot stays). */
  retention?(seqNr: number): Retention;
}

export interface SnapshotRetentionOptions {
  /** How many of the newest snapshots stay (default 1); older ones are deleted. */
  readonly keepSnapshots?: number;
  /** Also delete the events the oldest kept snapshot covers (default false: every event stays). */
  readonly deleteEvents?: boolean;
}

/**
 * A snapshot each time the sequence number passes a multiple of `n`: recovery replays fewer than `n`
 * events. The newest `keepSnapshots` stay; with `deleteEvents`, so do only the events after the
 * oldest of them (the others could only be replayed over it).
 */
export class SnapshotEvery implements SnapshotPolicy {
  readonly keepSnapshots: number;
  readonly deleteEvents: boolean;

  constructor(
    readonly n: number,
    options: SnapshotRetentionOptions = {},
  ) {
    requirePositive(n, "SnapshotEvery(n)", { integer: true });
    this.keepSnapshots = options.keepSnapshots ?? 1;
    requirePositive(this.keepSnapshots, "SnapshotEvery keepSnapshots", { integer: true });
    this.deleteEvents = options.deleteEvents ?? false;
  }

  shouldSnapshot(fromSeqNr: number, toSeqNr: number): boolean {
    return Math.floor(fromSeqNr / this.n) !== Math.floor(toSeqNr / this.n);
  }

  retention(seqNr: number): Retention {
    // the snapshot for multiple k·n was taken at the first sequence number at or past it: the oldest
    // kept one is at or past `oldestKept`, every older one before it
    const oldestKept = Math.max(0, (Math.floor(seqNr / this.n) - (this.keepSnapshots - 1)) * this.n);
    return { snapshotsTo: Math.max(0, oldestKept - 1), eventsTo: this.deleteEvents ? oldestKept : 0 };
  }
}
