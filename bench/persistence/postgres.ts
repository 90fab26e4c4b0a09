// PostgresJournal figures against the server at --url (the section starts a throwaway one):
//   --mode=concurrent  1,000 event-sourced entities persisting one event per command, all at once → events/s
//                      and the mean rows per transaction
//   --mode=raw         raw pg: the same rows (pre-encoded) as multi-row inserts (unnest) of --batch rows,
//                      one transaction each, one at a time → rows/s
import pg from "pg";
import { PostgresJournal } from "../../src/index.js";
import { RowCodec, standaloneSerialization } from "../../src/persistence/row-codec.js";
import { argNumber, argString, emit, median } from "../harness.js";
import { benchSystem } from "../local/common.js";
import { concurrentPersists, countTransactions, type Added } from "./common.js";

const mode = argString("mode", "concurrent");
const url = argString("url", "");
const entities = argNumber("entities", 1000);
const perEntity = argNumber("per-entity", 20);
const runs = argNumber("runs", 3);

if (mode === "concurrent") {
  const journal = new PostgresJournal({ connectionString: url });
  const system = benchSystem("pg-bench");
  const counts = countTransactions(journal);
  await concurrentPersists(system, journal, entities, 5, -1); // warm-up (and the schema)
  const before = { ...counts };
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) rates.push(await concurrentPersists(system, journal, entities, perEntity, r));
  const batch = (counts.rows - before.rows) / (counts.transactions - before.transactions);
  await system.shutdown();
  await journal.close();
  emit({ rate: median(rates), batch });
} else if (mode === "raw") {
  const batch = argNumber("batch", entities);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("CREATE TABLE raw_events (entity_id text NOT NULL, seq_nr bigint NOT NULL, event bytea NOT NULL, PRIMARY KEY (entity_id, seq_nr))");
  const codec = new RowCodec(standaloneSerialization());
  const rates: number[] = [];
  for (let r = -1; r < runs; r++) {
    const per = r < 0 ? 5 : perEntity;
    const rows: [string, number, Uint8Array][] = [];
    for (let k = 1; k <= per; k++) {
      for (let i = 0; i < entities; i++) {
        const id = `r${r}-e${i}`;
        rows.push([id, k, codec.encodeEvent(id, k, { kind: "added", amount: 1, ref: `txn-${k - 1}` } satisfies Added, Date.now(), "writer")]);
      }
    }
    const t0 = performance.now();
    for (let j = 0; j < rows.length; j += batch) {
      const chunk = rows.slice(j, j + batch);
      await client.query("BEGIN");
      await client.query("INSERT INTO raw_events (entity_id, seq_nr, event) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])", [
        chunk.map((c) => c[0]),
        chunk.map((c) => c[1]),
        chunk.map((c) => c[2]),
      ]);
      await client.query("COMMIT");
    }
    if (r >= 0) rates.push(rows.length / ((performance.now() - t0) / 1000));
  }
  await client.query("DROP TABLE raw_events");
  await client.end();
  emit({ rate: median(rates) });
} else {
  throw new Error(`unknown --mode=${mode}`);
}
