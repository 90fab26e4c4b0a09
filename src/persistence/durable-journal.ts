import { realScheduler, type Scheduler } from "../actor/scheduler.js";
import type { Serialization } from "../serialization/index.js";
import { JournalClosedError, JournalCorruptError, rejected } from "./errors.js";
import { GroupCommit } from "./group-commit.js";
import type { AppendOptions, EventJournal, JournalEntry, SnapshotEntry } from "./journal.js";
import { RowCodec, standaloneSerialization } from "./row-codec.js";

/** What the durable journals write in their per-turn transaction. */
export type JournalWrite =
  | { readonly kind: "append"; readonly entityId: string; readonly expectedSeqNr: number; readonly rows: readonly Uint8Array[] }
  | { readonly kind: "snapshot"; readonly entityId: string; readonly seqNr: number; readonly row: Uint8Array };

/** A stored event row: its sequence number and its `casty.v1.PersistedEvent` bytes. */
export interface StoredRow {
  readonly seqNr: number;
  readonly row: Uint8Array;
}

export interface DurableJournalOptions {
  /** The registry events go through (default: plain data and nothing registered; refs need the system's). */
  readonly serialization?: Serialization;
  /** Clock for timestamps and the per-turn flush (default: the real one). */
  readonly scheduler?: Scheduler;
  /** Rows read per query on replay (default 1000). */
  readonly replayPageSize?: number;
}

/**
 * The part SqliteJournal and PostgresJournal share: values become Protobuf rows at `append` (so a
 * `SerializationError` rejects before anything is queued), the writes of one turn go to the storage
 * together, and replay reads in pages.
 */
export abstract class DurableJournal implements EventJournal {
  private readonly codec: RowCodec;
  private readonly scheduler: Scheduler;
  private readonly pageSize: number;
  private readonly commits: GroupCommit<JournalWrite>;
  private closing: Promise<void> | undefined;

  constructor(options: DurableJournalOptions = {}) {
    this.codec = new RowCodec(options.serialization ?? standaloneSerialization());
    this.scheduler = options.scheduler ?? realScheduler;
    this.pageSize = options.replayPageSize ?? 1000;
    this.commits = new GroupCommit((writes) => this.writeBatch(writes), this.scheduler);
  }

  /** Writes one batch in one transaction; per write, `undefined` or its error (e.g. a conflict). */
  protected abstract writeBatch(writes: readonly JournalWrite[]): readonly (Error | undefined)[] | Promise<readonly (Error | undefined)[]>;
  protected abstract readRows(entityId: string, fromSeqNr: number, toSeqNr: number, limit: number): Promise<readonly StoredRow[]>;
  protected abstract readHighest(entityId: string): Promise<number>;
  protected abstract readSnapshot(entityId: string): Promise<Uint8Array | undefined>;
  protected abstract release(): Promise<void>;

  append(entityId: string, events: readonly unknown[], expectedSeqNr: number, options?: AppendOptions): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new JournalClosedError("the journal is closed"));
    const timestamp = this.scheduler.now();
    const writerUid = options?.writerUid ?? "";
    const rows: Uint8Array[] = [];
    try {
      for (let i = 0; i < events.length; i++) rows.push(this.codec.encodeEvent(entityId, expectedSeqNr + i + 1, events[i], timestamp, writerUid));
    } catch (error) {
      return rejected(error);
    }
    if (rows.length === 0) return Promise.resolve();
    return this.commits.add({ kind: "append", entityId, expectedSeqNr, rows });
  }

  async *replay(entityId: string, fromSeqNr: number, toSeqNr = Number.MAX_SAFE_INTEGER): AsyncIterable<JournalEntry> {
    let next = Math.max(fromSeqNr, 1);
    while (next <= toSeqNr) {
      this.ensureOpen();
      const page = await this.readRows(entityId, next, toSeqNr, this.pageSize);
      for (const { seqNr, row } of page) {
        if (seqNr !== next) throw new JournalCorruptError(`entity ${JSON.stringify(entityId)}: event ${next} is missing (found ${seqNr})`);
        yield this.codec.decodeEvent(entityId, seqNr, row);
        next++;
      }
      if (page.length < this.pageSize) return;
      await new Promise<void>((resolve) => this.scheduler.yieldThen(resolve)); // let I/O in between pages
    }
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

  async loadSnapshot(entityId: string): Promise<SnapshotEntry | undefined> {
    this.ensureOpen();
    const row = await this.readSnapshot(entityId);
    return row === undefined ? undefined : this.codec.decodeSnapshot(entityId, row);
  }

  close(): Promise<void> {
    return (this.closing ??= this.commits.drain().then(() => this.release()));
  }

  private ensureOpen(): void {
    if (this.closing !== undefined) throw new JournalClosedError("the journal is closed");
  }
}
