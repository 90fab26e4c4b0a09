import Database from "better-sqlite3";
import { JournalConflictError } from "./errors.js";
import { DurableJournal, type DurableJournalOptions, type JournalWrite, type StoredRow, type TaggedRow } from "./durable-journal.js";

export interface SqliteJournalOptions extends DurableJournalOptions {
  /**
   * `"normal"` (default): every acknowledged event survives the process being killed (WAL); `"full"`
   * also survives power loss, at an fsync per transaction.
   */
  readonly synchronous?: "normal" | "full";
  /** How long a write waits for another process holding the file's lock (ms, default 5000). */
  readonly busyTimeout?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS casty_events (
  entity_id TEXT NOT NULL,
  seq_nr INTEGER NOT NULL,
  event BLOB NOT NULL,
  PRIMARY KEY (entity_id, seq_nr)
);
CREATE TABLE IF NOT EXISTS casty_snapshots (
  entity_id TEXT NOT NULL,
  seq_nr INTEGER NOT NULL,
  snapshot BLOB NOT NULL,
  PRIMARY KEY (entity_id, seq_nr)
);
CREATE TABLE IF NOT EXISTS casty_deleted (
  entity_id TEXT PRIMARY KEY,
  to_seq_nr INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS casty_tags (
  ordering INTEGER PRIMARY KEY AUTOINCREMENT,
  tag TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  seq_nr INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS casty_tags_by_tag ON casty_tags (tag, ordering);
CREATE INDEX IF NOT EXISTS casty_tags_by_entity ON casty_tags (entity_id, seq_nr);`;

/** A file from before several snapshots per entity keyed them by entity alone: rekeyed by (entity, seq_nr). */
const REKEY_SNAPSHOTS = `
ALTER TABLE casty_snapshots RENAME TO casty_snapshots_old;
CREATE TABLE casty_snapshots (
  entity_id TEXT NOT NULL,
  seq_nr INTEGER NOT NULL,
  snapshot BLOB NOT NULL,
  PRIMARY KEY (entity_id, seq_nr)
);
INSERT INTO casty_snapshots SELECT entity_id, seq_nr, snapshot FROM casty_snapshots_old;
DROP TABLE casty_snapshots_old;`;

/** Entities whose highest sequence number is remembered; beyond, the memory starts over. */
const KNOWN_LIMIT = 100_000;

/**
 * The embedded durable journal: one SQLite file in WAL mode. `event` and `snapshot` hold
 * `casty.v1.PersistedEvent` / `PersistedSnapshot` bytes. The appends of all entities in one event-loop
 * turn commit in one transaction; several processes may share the file (they wait for its lock).
 * `casty_tags` indexes tagged events; its `ordering` is the offset of the tag queries. SQLite has one
 * writer at a time, so orderings commit in ascending order: no reader skips a later-committed lower one.
 * `casty_deleted` remembers, per entity, up to where its events were deleted (so that its highest
 * sequence number survives the deletion). A journal file from an earlier version gains the tables
 * and keys of this one when opened.
 */
export class SqliteJournal extends DurableJournal {
  private readonly db: Database.Database;
  private readonly highestOf: Database.Statement<[string, string], number | null>;
  private readonly insert: Database.Statement<[string, number, Uint8Array]>;
  private readonly upsertSnapshot: Database.Statement<[string, number, Uint8Array]>;
  private readonly deleteSnapshotsTo: Database.Statement<[string, number]>;
  private readonly deleteEventsTo: Database.Statement<[string, number]>;
  private readonly deleteTagsTo: Database.Statement<[string, number]>;
  private readonly markDeleted: Database.Statement<[string, number]>;
  private readonly deletedTo: Database.Statement<[string], number>;
  private readonly rows: Database.Statement<[string, number, number, number], [number, Buffer]>;
  private readonly snapshot: Database.Statement<[string], Buffer>;
  private readonly insertTag: Database.Statement<[string, string, number]>;
  private readonly tagged: Database.Statement<[string, number, number], [number, string, number, Buffer]>;
  private readonly entityIds: Database.Statement<[string, number], string>;
  private readonly transaction: (writes: readonly JournalWrite[]) => (Error | undefined)[];
  /**
   * The highest sequence number this journal wrote or read, per entity. When an append expects it, the
   * lookup is skipped: a later write by another process makes the first insert hit the primary key.
   */
  private readonly known = new Map<string, number>();

  constructor(
    readonly path: string,
    options: SqliteJournalOptions = {},
  ) {
    super(options);
    this.db = new Database(path, { timeout: options.busyTimeout ?? 5000 });
    try {
      this.db.pragma("journal_mode = WAL");
      this.db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
      this.db
        .transaction(() => {
          this.db.exec(SCHEMA);
          const keys = this.db.prepare("SELECT count(*) FROM pragma_table_info('casty_snapshots') WHERE pk > 0").pluck().get() as number;
          if (keys === 1) this.db.exec(REKEY_SNAPSHOTS);
        })
        .immediate();
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.highestOf = this.db
      .prepare<[string, string], number | null>(
        `SELECT max(h) FROM (SELECT max(seq_nr) AS h FROM casty_events WHERE entity_id = ?
         UNION ALL SELECT to_seq_nr FROM casty_deleted WHERE entity_id = ?)`,
      )
      .pluck();
    this.insert = this.db.prepare("INSERT INTO casty_events (entity_id, seq_nr, event) VALUES (?, ?, ?)");
    this.upsertSnapshot = this.db.prepare(
      `INSERT INTO casty_snapshots (entity_id, seq_nr, snapshot) VALUES (?, ?, ?)
       ON CONFLICT (entity_id, seq_nr) DO UPDATE SET snapshot = excluded.snapshot`,
    );
    this.deleteSnapshotsTo = this.db.prepare("DELETE FROM casty_snapshots WHERE entity_id = ? AND seq_nr <= ?");
    this.deleteEventsTo = this.db.prepare("DELETE FROM casty_events WHERE entity_id = ? AND seq_nr <= ?");
    this.deleteTagsTo = this.db.prepare("DELETE FROM casty_tags WHERE entity_id = ? AND seq_nr <= ?");
    this.markDeleted = this.db.prepare(
      `INSERT INTO casty_deleted (entity_id, to_seq_nr) VALUES (?, ?)
       ON CONFLICT (entity_id) DO UPDATE SET to_seq_nr = excluded.to_seq_nr WHERE excluded.to_seq_nr > casty_deleted.to_seq_nr`,
    );
    this.deletedTo = this.db.prepare<[string], number>("SELECT to_seq_nr FROM casty_deleted WHERE entity_id = ?").pluck();
    this.rows = this.db
      .prepare<[string, number, number, number], [number, Buffer]>(
        "SELECT seq_nr, event FROM casty_events WHERE entity_id = ? AND seq_nr >= ? AND seq_nr <= ? ORDER BY seq_nr LIMIT ?",
      )
      .raw();
    this.snapshot = this.db.prepare<[string], Buffer>("SELECT snapshot FROM casty_snapshots WHERE entity_id = ? ORDER BY seq_nr DESC LIMIT 1").pluck();
    this.insertTag = this.db.prepare("INSERT INTO casty_tags (tag, entity_id, seq_nr) VALUES (?, ?, ?)");
    this.tagged = this.db
      .prepare<[string, number, number], [number, string, number, Buffer]>(
        `SELECT t.ordering, t.entity_id, t.seq_nr, e.event FROM casty_tags t
         JOIN casty_events e ON e.entity_id = t.entity_id AND e.seq_nr = t.seq_nr
         WHERE t.tag = ? AND t.ordering > ? ORDER BY t.ordering LIMIT ?`,
      )
      .raw();
    this.entityIds = this.db
      .prepare<[string, number], string>("SELECT DISTINCT entity_id FROM casty_events WHERE entity_id > ? ORDER BY entity_id LIMIT ?")
      .pluck();
    const write = this.db.transaction((writes: readonly JournalWrite[]) => writes.map((w) => this.writeOne(w)));
    this.transaction = (writes) => write.immediate(writes);
  }

  protected writeBatch(writes: readonly JournalWrite[]): (Error | undefined)[] {
    if (this.known.size > KNOWN_LIMIT) this.known.clear();
    try {
      return this.transaction(writes);
    } catch (error) {
      this.known.clear(); // rolled back: what the batch remembered was not written
      throw error;
    }
  }

  private writeOne(w: JournalWrite): Error | undefined {
    switch (w.kind) {
      case "snapshot":
        this.upsertSnapshot.run(w.entityId, w.seqNr, w.row);
        return undefined;
      case "deleteSnapshots":
        this.deleteSnapshotsTo.run(w.entityId, w.toSeqNr);
        return undefined;
      case "deleteEvents":
        this.removeEvents(w.entityId, Math.min(w.toSeqNr, this.highest(w.entityId)));
        return undefined;
      case "continueAfter":
        this.removeEvents(w.entityId, w.toSeqNr);
        this.known.delete(w.entityId);
        return undefined;
      case "append":
        return this.appendOne(w);
    }
  }

  /** Deletes up to `to`, remembering where: the highest never drops below it. */
  private removeEvents(entityId: string, to: number): void {
    if (to === 0) return;
    this.deleteEventsTo.run(entityId, to);
    this.deleteTagsTo.run(entityId, to);
    this.markDeleted.run(entityId, to);
  }

  private appendOne(w: Extract<JournalWrite, { kind: "append" }>): Error | undefined {
    const { entityId, expectedSeqNr, rows } = w;
    if (this.known.get(entityId) !== expectedSeqNr) {
      const highest = this.highest(entityId);
      this.known.set(entityId, highest);
      if (highest !== expectedSeqNr) return new JournalConflictError(entityId, expectedSeqNr, highest);
    }
    try {
      this.insert.run(entityId, expectedSeqNr + 1, rows[0]);
    } catch (error) {
      if ((error as { code?: unknown }).code !== "SQLITE_CONSTRAINT_PRIMARYKEY") throw error;
      const highest = this.highest(entityId); // another process appended meanwhile
      this.known.set(entityId, highest);
      return new JournalConflictError(entityId, expectedSeqNr, highest);
    }
    for (let i = 1; i < rows.length; i++) this.insert.run(entityId, expectedSeqNr + i + 1, rows[i]);
    w.tags?.forEach((tags, i) => {
      for (const tag of tags) this.insertTag.run(tag, entityId, expectedSeqNr + i + 1);
    });
    this.known.set(entityId, expectedSeqNr + rows.length);
    return undefined;
  }

  private highest(entityId: string): number {
    return this.highestOf.get(entityId, entityId) ?? 0;
  }

  protected readRows(entityId: string, fromSeqNr: number, toSeqNr: number, limit: number): Promise<readonly StoredRow[]> {
    return Promise.resolve(this.rows.all(entityId, fromSeqNr, toSeqNr, limit).map(([seqNr, row]) => ({ seqNr, row })));
  }

  protected readTagged(tag: string, afterOffset: number, limit: number): Promise<readonly TaggedRow[]> {
    return Promise.resolve(this.tagged.all(tag, afterOffset, limit));
  }

  protected readEntityIds(after: string, limit: number): Promise<readonly string[]> {
    return Promise.resolve(this.entityIds.all(after, limit));
  }

  protected readHighest(entityId: string): Promise<number> {
    const highest = this.highest(entityId);
    this.known.set(entityId, highest); // the append after a recovery skips the lookup
    return Promise.resolve(highest);
  }

  protected readDeletedTo(entityId: string): Promise<number> {
    return Promise.resolve(this.deletedTo.get(entityId) ?? 0);
  }

  protected readSnapshot(entityId: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.snapshot.get(entityId));
  }

  protected release(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
