/** One stored event, as a journal hands it back on replay. */
export interface JournalEntry {
  readonly entityId: string;
  /** 1, 2, 3, … per entity, without gaps. */
  readonly seqNr: number;
  readonly event: unknown;
  /** When it was written (ms since the epoch). */
  readonly timestamp: number;
  /** The entity incarnation that wrote it ("" when the writer gave none). */
  readonly writerUid: string;
  /** What the entity's tagger labelled the event with (none without a tagger). */
  readonly tags: readonly string[];
}

/** The state of an entity after its event `seqNr`. */
export interface SnapshotEntry {
  readonly entityId: string;
  readonly seqNr: number;
  readonly state: unknown;
  readonly timestamp: number;
}

export interface AppendOptions {
  /** Stored with each event: which incarnation wrote it. */
  readonly writerUid?: string;
  /** Per event (same index as the events): its tags, which the read side queries by. */
  readonly tags?: readonly (readonly string[])[];
}

/**
 * Where event-sourced entities keep their events and snapshots. It takes and returns values (as Akka's
 * journal plugins do): a backend for tests needs no serialization, the durable ones serialize.
 */
export interface EventJournal {
  /**
   * Writes `events` atomically as `expectedSeqNr + 1`, `+ 2`, …; rejects with `JournalConflictError`
   * (and writes nothing) unless the entity's highest sequence number is still `expectedSeqNr`.
   */
  append(entityId: string, events: readonly unknown[], expectedSeqNr: number, options?: AppendOptions): Promise<void>;
  /** The events with `fromSeqNr ≤ seqNr ≤ toSeqNr` (default: all later ones), in order. */
  replay(entityId: string, fromSeqNr: number, toSeqNr?: number): AsyncIterable<JournalEntry>;
  /**
   * 0 for an entity that never had events. Deleting events does not lower it: the journal remembers
   * the highest deleted one, so that an entity never reuses a sequence number.
   */
  highestSeqNr(entityId: string): Promise<number>;
  /**
   * Deletes the events with `seqNr ≤ toSeqNr` (all of them when it is beyond the highest), in order with
   * the writes before and after it; replay and queries then start after them.
   */
  deleteEvents(entityId: string, toSeqNr: number): Promise<void>;
  /**
   * Makes the entity's history continue after `seqNr`, as if its events up to it had been written and
   * deleted: deletes those it holds up to `seqNr` and raises its highest sequence number to `seqNr`
   * when below (unlike `deleteEvents`). For a history that starts from a snapshot taken elsewhere: a
   * replica caught up from a primary whose retention deleted the events before the snapshot.
   */
  continueAfter(entityId: string, seqNr: number): Promise<void>;
  /** Stores `state` as the entity's snapshot after event `seqNr`; older ones stay until `deleteSnapshots`. */
  saveSnapshot(entityId: string, seqNr: number, state: unknown): Promise<void>;
  /** The snapshot with the highest sequence number. */
  loadSnapshot(entityId: string): Promise<SnapshotEntry | undefined>;
  /** Deletes the snapshots with `seqNr ≤ toSeqNr`. */
  deleteSnapshots(entityId: string, toSeqNr: number): Promise<void>;
  /** Finishes pending writes and releases the storage; later calls reject with `JournalClosedError`. */
  close(): Promise<void>;
}

/** The tags of an untagged event (shared: no array per event). */
export const noTags: readonly string[] = Object.freeze([]);
