// PostgresJournal specifics: two nodes' journals on one database racing for the same entities.
import { afterAll, describe, expect, it } from "vitest";
import { JournalConflictError, PostgresJournal } from "../../src/index.js";
import pg from "pg";
import { RowCodec, standaloneSerialization } from "../../src/persistence/row-codec.js";
import { startPostgres } from "../support/postgres.js";
import { collect } from "./fixtures/journals.js";

const database = await startPostgres();
afterAll(async () => {
  if (typeof database !== "string") await database.stop();
});

describe.skipIf(typeof database === "string")("PostgresJournal", () => {
  const url = typeof database === "string" ? "" : database.url;

  it("two journals (two nodes) racing for the same 300 entities: one writer wins each, the other gets JournalConflictError", async () => {
    const a = new PostgresJournal({ connectionString: url });
    const b = new PostgresJournal({ connectionString: url });
    try {
      await Promise.all([a.highestSeqNr("warm-up"), b.highestSeqNr("warm-up")]);
      const ids = Array.from({ length: 300 }, (_, i) => `race-${i}`);
      const outcomes = await Promise.all(
        ids.map((id) => Promise.allSettled([a.append(id, [{ by: "a" }], 0), b.append(id, [{ by: "b" }], 0), a.append(`${id}-solo`, ["solo"], 0)])),
      );
      for (const [i, [fromA, fromB, solo]] of outcomes.entries()) {
        expect(
          [fromA, fromB].filter((o) => o.status === "fulfilled"),
          ids[i],
        ).toHaveLength(1);
        for (const o of [fromA, fromB]) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(JournalConflictError);
        expect(solo.status).toBe("fulfilled"); // a lost race does not fail the other writes of its batch
      }
      for (const id of ids.slice(0, 20)) {
        const events = await collect(b.replay(id, 1));
        expect(events.map((e) => e.seqNr)).toEqual([1]);
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("notices a write by another node even where it remembers the entity's sequence number", async () => {
    const a = new PostgresJournal({ connectionString: url });
    const b = new PostgresJournal({ connectionString: url });
    try {
      await a.append("remembered", ["a"], 0); // a now remembers 1
      await b.append("remembered", ["b"], 1);
      const error: unknown = await a.append("remembered", ["c", "d"], 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JournalConflictError);
      expect(error).toMatchObject({ expectedSeqNr: 1, actualSeqNr: 2 });
      await a.append("remembered", ["c"], 2);
      expect((await collect(b.replay("remembered", 1))).map((x) => x.event)).toEqual(["a", "b", "c"]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("creates its schema on first use, also when several journals start at once", async () => {
    const journals = Array.from({ length: 4 }, () => new PostgresJournal({ connectionString: url }));
    try {
      await Promise.all(journals.map((j, i) => j.append(`schema-${i}`, ["x"], 0)));
      expect(await journals[0].highestSeqNr("schema-3")).toBe(1);
    } finally {
      await Promise.all(journals.map((j) => j.close()));
    }
  });

  it("a database with one snapshot per entity (keyed by entity) keeps its snapshots and takes several", async () => {
    const name = `old_snapshots_${Date.now()}`; // dropped after: with $CASTY_PG_URL the server is yours
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const oldUrl = url.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);
    const old = new pg.Client({ connectionString: oldUrl });
    await old.connect();
    await old.query("CREATE TABLE casty_snapshots (entity_id text PRIMARY KEY, seq_nr bigint NOT NULL, snapshot bytea NOT NULL)");
    await old.query("INSERT INTO casty_snapshots VALUES ($1, $2, $3)", ["old", 4, new RowCodec(standaloneSerialization()).encodeSnapshot("old", 4, "at 4", 1)]);
    await old.end();
    const journal = new PostgresJournal({ connectionString: oldUrl });
    try {
      expect((await journal.loadSnapshot("old"))?.state).toBe("at 4");
      await journal.saveSnapshot("old", 8, "at 8");
      await journal.deleteSnapshots("old", 7);
      expect((await journal.loadSnapshot("old"))?.state).toBe("at 8");
    } finally {
      await journal.close();
      await admin.query(`DROP DATABASE ${name}`);
      await admin.end();
    }
  });
});

if (typeof database === "string") describe("PostgresJournal", () => it.skip(database, () => {}));
