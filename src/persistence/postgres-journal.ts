import pg from "pg";
import { JournalConflictError } from "./errors.js";
import { DurableJournal, type DurableJournalOptions, type JournalWrite, type StoredRow, type TaggedRow } from "./durable-journal.js";

export interface PostgresJournalOptions extends DurableJournalOptions {
  /** Where the database is (`postgres://user:pass@host:port/db`); ignored when `pool` is given. */
  readonly connectionString?: string;
  /** A pool of your own: used as is and not ended by `close()`. */
  readonly pool?: pg.Pool;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS casty_events (
  entity_id text NOT NULL,
  seq_nr bigint NOT NULL,
  event bytea NOT NULL,
  PRIMARY KEY (entity_id, seq_nr)
);
CREATE TABLE IF NOT EXISTS casty_snapshots (
  entity_id text NOT NULL,
  seq_nr bigint NOT NULL,
  snapshot bytea NOT NULL,
  PRIMARY KEY (entity_id, seq_nr)
);
CREATE TABLE IF NOT EXISTS casty_deleted (
  entity_id text PRIMARY KEY,
  to_seq_nr bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS casty_tags (
  ordering bigserial PRIMARY KEY,
  tag text NOT NULL,
  entity_id text NOT NULL,
  seq_nr bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS casty_tags_by_tag ON casty_tags (tag, ordering);
CREATE INDEX IF NOT EXISTS casty_tags_by_entity ON casty_tags (entity_id, seq_nr);
DO $$ BEGIN
  -- a database from before several snapshots per entity keyed them by entity alone
  IF (SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = 'casty_snapshots'::regclass AND i.indisprimary) = 1 THEN
    ALTER TABLE casty_snapshots DROP CONSTRAINT casty_snapshots_pkey, ADD PRIMARY KEY (entity_id, seq_nr);
  END IF;
END $$;`;
/** Serializes concurrent schema creation by several nodes (CREATE TABLE IF NOT EXISTS races otherwise). */
const SCHEMA_LOCK = 0x63617374; // "cast"
/**
 * Taken (until commit) by every transaction that writes tags, before it draws orderings: tagged writes
 * of all nodes commit one after the other, in ordering order, so a tag query that read ordering n never
 * meets a lower one committing later (a sequence alone would let a slow transaction commit n-1 after n).
 */
const TAGS_LOCK = 0x74616773; // "tags"
const UNIQUE_VIOLATION = "23505";
/** Entities whose highest sequence number is remembered; beyond, the memory starts over. */
const KNOWN_LIMIT = 100_000;

const INSERT_EVENTS = "INSERT INTO casty_events (entity_id, seq_nr, event) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])";
const INSERT_TAGS = "INSERT INTO casty_tags (tag, entity_id, seq_nr) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])";
const UPSERT_SNAPSHOTS = `INSERT INTO casty_snapshots (entity_id, seq_nr, snapshot) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])
  ON CONFLICT (entity_id, seq_nr) DO UPDATE SET snapshot = EXCLUDED.snapshot`;
/** The highest sequence number of each entity in $1, deleted events included. */
const HIGHEST = `SELECT entity_id, max(seq_nr) AS highest FROM (
  SELECT entity_id, seq_nr FROM casty_events WHERE entity_id = ANY($1::text[])
  UNION ALL SELECT entity_id, to_seq_nr FROM casty_deleted WHERE entity_id = ANY($1::text[])) h GROUP BY entity_id`;
const DELETE_EVENTS = "DELETE FROM casty_events e USING unnest($1::text[], $2::bigint[]) d(id, upto) WHERE e.entity_id = d.id AND e.seq_nr <= d.upto";
const DELETE_TAGS = "DELETE FROM casty_tags t USING unnest($1::text[], $2::bigint[]) d(id, upto) WHERE t.entity_id = d.id AND t.seq_nr <= d.upto";
const MARK_DELETED = `INSERT INTO casty_deleted (entity_id, to_seq_nr) SELECT * FROM unnest($1::text[], $2::bigint[])
  ON CONFLICT (entity_id) DO UPDATE SET to_seq_nr = GREATEST(casty_deleted.to_seq_nr, EXCLUDED.to_seq_nr)`;
const DELETE_SNAPSHOTS = "DELETE FROM casty_snapshots s USING unnest($1::text[], $2::bigint[]) d(id, upto) WHERE s.entity_id = d.id AND s.seq_nr <= d.upto";

/**
 * A journal in PostgreSQL, for nodes sharing one database. Rows hold `casty.v1.PersistedEvent` /
 * `PersistedSnapshot` bytes; the writes of one event-loop turn go in one transaction as multi-row
 * inserts; the (entity_id, seq_nr) key makes a second writer fail instead of forking the history.
 * Tagged events are indexed in `casty_tags`, whose `ordering` is the offset of the tag queries. The
 * tables are created on first use (a database from an earlier version gains the tables and keys of
 * this one). `casty_deleted` remembers up to where an entity's events were deleted, so that its highest
 * sequence number survives the deletion.
 */
export class PostgresJournal extends DurableJournal {
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private schema: Promise<void> | undefined;
  /**
   * The highest sequence number this journal committed, per entity. An append that expects it skips
   * the lookup: a later write by another node makes the insert hit the primary key.
   */
  private readonly known = new Map<string, number>();

  constructor(options: PostgresJournalOptions) {
    super(options);
    this.ownsPool = options.pool === undefined;
    this.pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString });
    // an idle connection that drops is reported by the next query that needs one
    if (this.ownsPool) this.pool.on("error", () => {});
  }

  protected async writeBatch(writes: readonly JournalWrite[]): Promise<readonly (Error | undefined)[]> {
    await this.ensureSchema();
    if (this.known.size > KNOWN_LIMIT) this.known.clear();
    try {
      return this.remember(writes, await this.transaction((client) => writeAll(client, writes, this.known)));
    } catch (error) {
      this.known.clear();
      // another node wrote first (between our check and our insert, or since we last wrote): find out
      // which write lost, each alone, with the lookup
      if (!isUniqueViolation(error)) throw error;
      const results: (Error | undefined)[] = [];
      for (const w of writes) results.push(await this.writeAlone(w));
      return results;
    }
  }

  private async writeAlone(w: JournalWrite): Promise<Error | undefined> {
    try {
      return this.remember([w], await this.transaction((client) => writeAll(client, [w], this.known)))[0];
    } catch (error) {
      if (!isUniqueViolation(error) || w.kind !== "append") throw error;
      return new JournalConflictError(w.entityId, w.expectedSeqNr, await this.readHighest(w.entityId));
    }
  }

  /** Keeps the highest sequence number of every entity whose append committed (one that continues elsewhere is looked up again). */
  private remember(writes: readonly JournalWrite[], results: readonly (Error | undefined)[]): readonly (Error | undefined)[] {
    writes.forEach((w, i) => {
      if (w.kind === "append" && results[i] === undefined) this.known.set(w.entityId, w.expectedSeqNr + w.rows.length);
      else if (w.kind === "continueAfter") this.known.delete(w.entityId);
    });
    return results;
  }

  protected async readRows(entityId: string, fromSeqNr: number, toSeqNr: number, limit: number): Promise<readonly StoredRow[]> {
    await this.ensureSchema();
    const result = await this.pool.query<{ seq_nr: string; event: Buffer }>(
      "SELECT seq_nr, event FROM casty_events WHERE entity_id = $1 AND seq_nr >= $2 AND seq_nr <= $3 ORDER BY seq_nr LIMIT $4",
      [entityId, fromSeqNr, toSeqNr, limit],
    );
    return result.rows.map((r) => ({ seqNr: Number(r.seq_nr), row: r.event }));
  }

  protected async readTagged(tag: string, afterOffset: number, limit: number): Promise<readonly TaggedRow[]> {
    await this.ensureSchema();
    const result = await this.pool.query<[string, string, string, Buffer]>({
      text: `SELECT t.ordering, t.entity_id, t.seq_nr, e.event FROM casty_tags t
       JOIN casty_events e ON e.entity_id = t.entity_id AND e.seq_nr = t.seq_nr
       WHERE t.tag = $1 AND t.ordering > $2 ORDER BY t.ordering LIMIT $3`,
      values: [tag, afterOffset, limit],
      rowMode: "array",
    });
    return result.rows.map(([ordering, entityId, seqNr, event]) => [Number(ordering), entityId, Number(seqNr), event]);
  }

  protected async readEntityIds(after: string, limit: number): Promise<readonly string[]> {
    await this.ensureSchema();
    const result = await this.pool.query<{ entity_id: string }>(
      "SELECT DISTINCT entity_id FROM casty_events WHERE entity_id > $1 ORDER BY entity_id LIMIT $2",
      [after, limit],
    );
    return result.rows.map((r) => r.entity_id);
  }

  protected async readHighest(entityId: string): Promise<number> {
    await this.ensureSchema();
    const result = await this.pool.query<{ highest: string }>(HIGHEST, [[entityId]]);
    const highest = Number(result.rows[0]?.highest ?? 0);
    this.known.set(entityId, highest); // the append after a recovery skips the lookup
    return highest;
  }

  protected async readDeletedTo(entityId: string): Promise<number> {
    await this.ensureSchema();
    const result = await this.pool.query<{ to_seq_nr: string }>("SELECT to_seq_nr FROM casty_deleted WHERE entity_id = $1", [entityId]);
    return Number(result.rows[0]?.to_seq_nr ?? 0);
  }

  protected async readSnapshot(entityId: string): Promise<Uint8Array | undefined> {
    await this.ensureSchema();
    const result = await this.pool.query<{ snapshot: Buffer }>("SELECT snapshot FROM casty_snapshots WHERE entity_id = $1 ORDER BY seq_nr DESC LIMIT 1", [
      entityId,
    ]);
    return result.rows[0]?.snapshot;
  }

  protected async release(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }

  private ensureSchema(): Promise<void> {
    this.schema ??= this.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
      await client.query(SCHEMA);
    }).catch((error: unknown) => {
      this.schema = undefined; // try again on the next call
      throw error;
    });
    return this.schema;
  }

  private async transaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await body(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {}); // the error that matters is the first one
      throw error;
    } finally {
      client.release();
    }
  }
}

/**
 * Checks every append against the highest sequence numbers (looked up unless `known` has the expected
 * one), then inserts all rows at once; deletions take effect where they stand among the writes.
 */
async function writeAll(client: pg.PoolClient, writes: readonly JournalWrite[], known: ReadonlyMap<string, number>): Promise<(Error | undefined)[]> {
  const tagged = writes.some((w) => w.kind === "append" && w.tags !== undefined);
  if (tagged) await client.query("SELECT pg_advisory_xact_lock($1)", [TAGS_LOCK]);
  const highest = new Map<string, number>();
  for (const w of writes) if (w.kind === "append" && known.get(w.entityId) === w.expectedSeqNr) highest.set(w.entityId, w.expectedSeqNr);
  const lookUp = (w: JournalWrite) => (w.kind === "append" || w.kind === "deleteEvents" || w.kind === "continueAfter") && !highest.has(w.entityId);
  const lookupIds = [...new Set(writes.filter(lookUp).map((w) => w.entityId))];
  if (lookupIds.length > 0) {
    const stored = await client.query<{ entity_id: string; highest: string }>(HIGHEST, [lookupIds]);
    for (const r of stored.rows) highest.set(r.entity_id, Number(r.highest));
  }
  const events = { ids: [] as string[], seqNrs: [] as number[], rows: [] as Uint8Array[] };
  const tags = { tags: [] as string[], ids: [] as string[], seqNrs: [] as number[] };
  /** Per entity and sequence number, the snapshot to store. */
  const snapshots = new Map<string, { entityId: string; seqNr: number; row: Uint8Array }>();
  /** Per entity, up to where its events (and snapshots) go. */
  const deletedEvents = new Map<string, number>();
  const deletedSnapshots = new Map<string, number>();
  const results = writes.map((w): Error | undefined => {
    switch (w.kind) {
      case "snapshot":
        snapshots.set(`${w.entityId}\u0000${w.seqNr}`, w);
        return undefined;
      case "deleteSnapshots":
        for (const [key, s] of snapshots) if (s.entityId === w.entityId && s.seqNr <= w.toSeqNr) snapshots.delete(key);
        deletedSnapshots.set(w.entityId, Math.max(deletedSnapshots.get(w.entityId) ?? 0, w.toSeqNr));
        return undefined;
      case "deleteEvents": {
        const to = Math.min(w.toSeqNr, highest.get(w.entityId) ?? 0);
        if (to > 0) deletedEvents.set(w.entityId, Math.max(deletedEvents.get(w.entityId) ?? 0, to));
        return undefined;
      }
      case "continueAfter":
        deletedEvents.set(w.entityId, Math.max(deletedEvents.get(w.entityId) ?? 0, w.toSeqNr));
        highest.set(w.entityId, Math.max(highest.get(w.entityId) ?? 0, w.toSeqNr));
        return undefined;
      case "append":
        return stage(w);
    }
  });
  function stage(w: Extract<JournalWrite, { kind: "append" }>): Error | undefined {
    const known = highest.get(w.entityId) ?? 0;
    if (known !== w.expectedSeqNr) return new JournalConflictError(w.entityId, w.expectedSeqNr, known);
    w.rows.forEach((row, i) => {
      events.ids.push(w.entityId);
      events.seqNrs.push(w.expectedSeqNr + i + 1);
      events.rows.push(row);
      for (const tag of w.tags?.[i] ?? []) {
        tags.tags.push(tag);
        tags.ids.push(w.entityId);
        tags.seqNrs.push(w.expectedSeqNr + i + 1);
      }
    });
    highest.set(w.entityId, w.expectedSeqNr + w.rows.length);
    return undefined;
  }
  if (events.ids.length > 0) await client.query(INSERT_EVENTS, [events.ids, events.seqNrs, events.rows]);
  if (tags.tags.length > 0) await client.query(INSERT_TAGS, [tags.tags, tags.ids, tags.seqNrs]);
  if (deletedSnapshots.size > 0) await client.query(DELETE_SNAPSHOTS, [[...deletedSnapshots.keys()], [...deletedSnapshots.values()]]);
  if (snapshots.size > 0) {
    const entries = [...snapshots.values()];
    await client.query(UPSERT_SNAPSHOTS, [entries.map((s) => s.entityId), entries.map((s) => s.seqNr), entries.map((s) => s.row)]);
  }
  if (deletedEvents.size > 0) {
    const upTo = [[...deletedEvents.keys()], [...deletedEvents.values()]];
    await client.query(DELETE_EVENTS, upTo);
    await client.query(DELETE_TAGS, upTo);
    await client.query(MARK_DELETED, upTo);
  }
  return results;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
}
