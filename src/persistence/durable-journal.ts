import { realScheduler, type Scheduler } from "../actor/scheduler.js";
import type { Serialization } from "../serialization/index.js";
import { JournalClosedError, JournalCorruptError, rejected } from "./errors.js";
import { GroupCommit } from "./group-commit.js";
import { noTags, type AppendOptions, type EventJournal, type JournalEntry, type SnapshotEntry } from "./journal.js";
import { ChangeSignal, flatten, liveBatchesByTag } from "./live-query.js";
import type { EventEnvelope, Offset, ReadJournal } from "./read-journal.js";
import { RowCodec, standaloneSerialization } from "./row-codec.js";

/** What the durable journals write in their per-turn transaction. */
export type JournalWrite =
  | {
      readonly kind: "append";
      readonly entityId: string;
      readonly expectedSeqNr: number;
      readonly rows: readonly Uint8Array[];
      /** Per row, its tags (absent: none has any). */
      readonly tags: readonly (readonly string[])[] | undefined;
    }
  | { readonly kind: "snapshot"; readonly entityId: string; readonly seqNr: number; readonly row: Uint8Array }
  /**
   * Deletes the entity's events (with their tags) or snapshots up to `toSeqNr`, after the writes before
   * it; `continueAfter` also raises the entity's highest sequence number to `toSeqNr`.
   */
  | { readonly kind: "deleteEvents" | "continueAfter" | "deleteSnapshots"; readonly entityId: string; readonly toSeqNr: number };

/** A stored event row: its sequence number and its `casty.v1.PersistedEvent` bytes. */
export interface StoredRow {
  readonly seqNr: number;
  readonly row: Uint8Array;
}

/**
 * A stored event row found by tag: its offset in the tag's stream, entity, sequence number and
 * `casty.v1.PersistedEvent` bytes (a tuple: what better-sqlite3 and pg hand out as rows, no object per row).
 */
export type TaggedRow = readonly [offset: Offset, entityId: string, seqNr: number, row: Uint8Array];

export interface DurableJournalOptions {
  /** The registry events go through (default: plain data and nothing registered; refs need the system's). */
  readonly serialization?: Serialization;
  /** Clock for timestamps and the per-turn flush (default: the real one). */
  readonly scheduler?: Scheduler;
  /** Rows read per query on replay (default 1000). */
  readonly replayPageSize?: number;
  /** How often a live query (`eventsByTag`) looks for events written by other processes (ms, default 200). */
  readonly pollInterval?: number;
}

/**
 * The part SqliteJournal and PostgresJournal share: values become Protobuf rows at `append` (so a
 * `SerializationError` rejects before anything is queued), the writes of one turn go to the storage
 * together, and replay reads in pages.
 */
export abstract class DurableJournal implements EventJournal, ReadJournal {
  private readonly codec: RowCodec;
  readonly scheduler: Scheduler;
  readonly pollInterval: number;
  /** Wakes live queries after each commit of this journal object. */
  readonly changes = new ChangeSignal();
  private readonly pageSize: number;
  private readonly commits: GroupCommit<JournalWrite>;
  private closing: Promise<void> | undefined;

  constructor(options: DurableJournalOptions = {}) {
    this.codec = new RowCodec(options.serialization ?? standaloneSerialization());
    this.scheduler = options.scheduler ?? realScheduler;
    this.pageSize = options.replayPageSize ?? 1000;
    this.pollInterval = options.pollInterval ?? 200;
    this.commits = new GroupCommit((writes) => this.writeAndSignal(writes), this.scheduler);
  }

  /** Writes one batch in one transaction; per write, `undefined` or its error (e.g. a conflict). */
  protected abstract writeBatch(writes: readonly JournalWrite[]): readonly (Error | undefined)[] | Promise<readonly (Error | undefined)[]>;
  protected abstract readRows(entityId: string, fromSeqNr: number, toSeqNr: number, limit: number): Promise<readonly StoredRow[]>;
  /**
   * The rows tagged `tag` with an offset above `afterOffset`, in offset order. Never one whose offset is
   * above that of a row still to commit: a reader that moves past an offset never misses a row below it.
   */
  protected abstract readTagged(tag: string, afterOffset: Offset, limit: number): Promise<readonly TaggedRow[]>;
  /** The entity ids above `after` in string order. */
  protected abstract readEntityIds(after: string, limit: number): Promise<readonly string[]>;
  /** The highest sequence number the entity's events reached, deleted ones included. */
  protected abstract readHighest(entityId: string): Promise<number>;
  /** The highest sequence number of the entity's deleted events (0: none deleted). */
  protected abstract readDeletedTo(entityId: string): Promise<number>;
  protected abstract readSnapshot(entityId: string): Promise<Uint8Array | undefined>;
  protected abstract release(): Promise<void>;

  append(entityId: string, events: readonly unknown[], expectedSeqNr: number, options?: AppendOptions): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new JournalClosedError("the journal is closed"));
    const timestamp = this.scheduler.now();
    const writerUid = options?.writerUid ?? "";
    const rows: Uint8Array[] = [];
    try {
      for (let i = 0; i < events.length; i++) {
        rows.push(this.codec.encodeEvent(entityId, expectedSeqNr + i + 1, events[i], timestamp, writerUid, options?.tags?.[i] ?? noTags));
      }
    } catch (error) {
      return rejected(error);
    }
    if (rows.length === 0) return Promise.resolve();
    return this.commits.add({ kind: "append", entityId, expectedSeqNr, rows, tags: options?.tags });
  }

  async *replay(entityId: string, fromSeqNr: number, toSeqNr = Number.MAX_SAFE_INTEGER): AsyncIterable<JournalEntry> {
    let next = Math.max(fromSeqNr, 1);
    while (next <= toSeqNr) {
      this.ensureOpen();
      const page = await this.readRows(entityId, next, toSeqNr, this.pageSize);
      if (page.length > 0 && page[0].seqNr > next) {
        // events up to a deletion are gone: read on after it (a deletion may have gone further meanwhile)
        const deletedTo = await this.readDeletedTo(entityId);
        if (deletedTo >= next) {
          next = deletedTo + 1;
          continue;
        }
      }
      for (const { seqNr, row } of page) {
        if (seqNr !== next) throw new JournalCorruptError(`entity ${JSON.stringify(entityId)}: event ${next} is missing (found ${seqNr})`);
        yield this.codec.decodeEvent(entityId, seqNr, row);
        next++;
      }
      if (page.length < this.pageSize) return;
      await new Promise<void>((resolve) => this.scheduler.yieldThen(resolve)); // let I/O in between pages
    }
  }

  currentEventsByTag(tag: string, offset: Offset = 0): AsyncIterable<EventEnvelope> {
    return flatten(this.currentBatchesByTag(tag, offset));
  }

  /** The tagged events a page at a time, decoded. */
  async *currentBatchesByTag(tag: string, offset: Offset): AsyncIterable<readonly EventEnvelope[]> {
    let last = offset;
    for (;;) {
      this.ensureOpen();
      const page = await this.readTagged(tag, last, this.pageSize);
      if (page.length > 0) {
        const batch = page.map(([at, entityId, seqNr, row]): EventEnvelope => {
          const { event, timestamp, tags } = this.codec.decodeEvent(entityId, seqNr, row);
          return { entityId, seqNr, event, offset: at, timestamp, tags };
        });
        last = batch[batch.length - 1].offset;
        yield batch;
      }
      if (page.length < this.pageSize) return;
      await new Promise<void>((resolve) => this.scheduler.yieldThen(resolve));
    }
  }

  eventsByTag(tag: string, offset: Offset = 0): AsyncIterable<EventEnvelope> {
    return flatten(liveBatchesByTag(this, tag, offset));
  }

  eventsByTagBatched(tag: string, offset: Offset = 0, signal?: AbortSignal): AsyncIterable<readonly EventEnvelope[]> {
    return liveBatchesByTag(this, tag, offset, signal);
  }

  async *currentEventsByEntityId(entityId: string, fromSeqNr = 1): AsyncIterable<EventEnvelope> {
    for await (const { seqNr, event, timestamp, tags } of this.replay(entityId, fromSeqNr)) yield { entityId, seqNr, event, offset: seqNr, timestamp, tags };
  }

  async *currentEntityIds(): AsyncIterable<string> {
    let after = "";
    for (;;) {
      this.ensureOpen();
      const page = await this.readEntityIds(after, this.pageSize);
      yield* page;
      if (page.length < this.pageSize) return;
      after = page[page.length - 1];
    }
  }

  isClosed(): boolean {
    return this.closing !== undefined;
  }

  highestSeqNr(entityId: string): Promise<number> {
    if (this.closing !== undefined) return Promise.reject(new JournalClosedError("the journal is closed"));
    return this.readHighest(entityId);
  }

  saveSnapshot(entityId: string, seqNr: number, state: unknown): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new JournalClosedError("the journal is closed"));
    let row: Uint8Array;
    try {
      row = this.codec.encodeSnapshot(entityId, seqNr, state, this.scheduler.now());
    } catch (error) {
      return rejected(error);
    }
    return this.commits.add({ kind: "snapshot", entityId, seqNr, row });
  }

  deleteEvents(entityId: string, toSeqNr: number): Promise<void> {
    return this.delete("deleteEvents", entityId, toSeqNr);
  }

  continueAfter(entityId: string, seqNr: number): Promise<void> {
    return this.delete("continueAfter", entityId, seqNr);
  }

  deleteSnapshots(entityId: string, toSeqNr: number): Promise<void> {
    return this.delete("deleteSnapshots", entityId, toSeqNr);
  }

  private delete(kind: "deleteEvents" | "continueAfter" | "deleteSnapshots", entityId: string, toSeqNr: number): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new JournalClosedError("the journal is closed"));
    return toSeqNr < 1 ? Promise.resolve() : this.commits.add({ kind, entityId, toSeqNr: Math.min(toSeqNr, Number.MAX_SAFE_INTEGER) });
  }

  async loadSnapshot(entityId: string): Promise<SnapshotEntry | undefined> {
    this.ensureOpen();
    const row = await this.readSnapshot(entityId);
    return row === undefined ? undefined : this.codec.decodeSnapshot(entityId, row);
  }

  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closing = this.commits.drain().then(() => this.release());
      this.changes.notify();
    }
    return this.closing;
  }

  private writeAndSignal(writes: readonly JournalWrite[]): readonly (Error | undefined)[] | Promise<readonly (Error | undefined)[]> {
    const results = this.writeBatch(writes);
    if (!(results instanceof Promise)) {
      this.changes.notify();
      return results;
    }
    return results.then((r) => {
      this.changes.notify();
      return r;
    });
  }

  private ensureOpen(): void {
    if (this.closing !== undefined) throw new JournalClosedError("the journal is closed");
  }
}
