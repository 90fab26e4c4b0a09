// PostgresJournal tag offsets under concurrent transactions: a transaction that drew a lower ordering
// and commits later is not skipped by a live reader that already saw a higher one.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PostgresJournal, type EventEnvelope } from "../../src/index.js";
import { RowCodec, standaloneSerialization } from "../../src/persistence/row-codec.js";
import { startPostgres } from "../support/postgres.js";
import { sleep } from "../support/wait.js";

const database = await startPostgres();
afterAll(async () => {
  if (typeof database !== "string") await database.stop();
});

describe.skipIf(typeof database === "string")("PostgresJournal tag offsets", () => {
  const url = typeof database === "string" ? "" : database.url;

  it("a slow transaction holding a lower ordering commits after a faster one: the live reader gets both, in order", async () => {
    const journal = new PostgresJournal({ connectionString: url, pollInterval: 20 });
    const slow = new pg.Client({ connectionString: url });
    await slow.connect();
    try {
      await journal.highestSeqNr("warm-up"); // creates the tables
      const tag = "gaps";
      const row = new RowCodec(standaloneSerialization()).encodeEvent("slow", 1, "slow-event", Date.now(), "", [tag]);
      // another node's tagged write, as PostgresJournal makes it, stalled before its commit
      await slow.query("BEGIN");
      await slow.query("SELECT pg_advisory_xact_lock($1)", [0x74616773]);
      await slow.query("INSERT INTO casty_events (entity_id, seq_nr, event) VALUES ('slow', 1, $1)", [row]);
      await slow.query("INSERT INTO casty_tags (tag, entity_id, seq_nr) VALUES ($1, 'slow', 1)", [tag]);

      const got: EventEnvelope[] = [];
      const reading = (async () => {
        for await (const e of journal.eventsByTag(tag)) if (got.push(e) === 2) return;
      })();
      const fast = journal.append("fast", ["fast-event"], 0, { tags: [[tag]] });
      await Promise.race([fast, sleep(500)]); // a journal without the tag lock commits it meanwhile
      await sleep(100); // and the live reader, polling every 20 ms, would have read it
      await slow.query("COMMIT");
      await fast;
      await reading;
      expect(got.map((e) => e.event)).toEqual(["slow-event", "fast-event"]);
      expect(got[0].offset).toBeLessThan(got[1].offset);
    } finally {
      await slow.end();
      await journal.close();
    }
  }, 20_000);
});
