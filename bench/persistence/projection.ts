// Read-side figures on a SqliteJournal (a temp file, WAL) or, with --url, a PostgresJournal: 100,000
// events tagged "account" over 1,000 entities, then
//   - raw SELECT: better-sqlite3 / pg (rows as arrays) reads the same tagged rows (join on casty_tags,
//     pages of 1000, no decode) → rows/s
//   - projection: system.projection with an in-memory offset store and a summing handler → events/s
//   - live latency: one event at a time, persist → handler, p50 / p99
// Raw and projection alternate five times, the best of each kept (the machine's load varies).
// Run: npx tsx bench/persistence/projection.ts [--url=postgres://…]   (prints the rows as JSON)
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { ActorSystem, InMemoryOffsetStore, PostgresJournal, projection, SqliteJournal, type EventEnvelope } from "../../src/index.js";
import { argString, emit, type Row } from "../harness.js";
import { tempDir } from "./common.js";

const total = 100_000;
const entities = 1000;
const RUNS = 5;
const url = argString("url", "");
const kind = url === "" ? "SqliteJournal" : "PostgresJournal";
const TAGGED = `SELECT t.ordering, t.entity_id, t.seq_nr, e.event FROM casty_tags t JOIN casty_events e ON e.entity_id = t.entity_id AND e.seq_nr = t.seq_nr
  WHERE t.tag = $1 AND t.ordering > $2 ORDER BY t.ordering LIMIT 1000`;

/** Reads every tagged row a page at a time; answers how many. */
type RawReader = () => Promise<number>;

function sqliteRaw(path: string): { read: RawReader; close(): Promise<void> } {
  const db = new Database(path, { readonly: true });
  const page = db.prepare<[string, number], [number, string, number, Buffer]>(TAGGED.replace("$1", "?").replace("$2", "?")).raw();
  const read = () => {
    let rows = 0;
    for (let last = 0; ;) {
      const got = page.all("account", last);
      rows += got.length;
      if (got.length < 1000) return Promise.resolve(rows);
      last = got[got.length - 1][0];
    }
  };
  const close = () => {
    db.close();
    return Promise.resolve();
  };
  return { read, close };
}

async function pgRaw(): Promise<{ read: RawReader; close(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const read = async () => {
    let rows = 0;
    for (let last = "0"; ;) {
      const got = await client.query<[string, string, string, Buffer]>({ text: TAGGED, values: ["account", last], rowMode: "array" });
      rows += got.rows.length;
      if (got.rows.length < 1000) return rows;
      last = got.rows[got.rows.length - 1][0];
    }
  };
  return { read, close: () => client.end() };
}

const dir = tempDir();
try {
  const path = join(dir.path, "journal.db");
  const journal = url === "" ? new SqliteJournal(path, { pollInterval: 10 }) : new PostgresJournal({ connectionString: url, pollInterval: 10 });
  for (let round = 0; round < total / entities; round++) {
    await Promise.all(Array.from({ length: entities }, (_, k) => journal.append(`acc-${k}`, [{ amount: round + 1 }], round, { tags: [["account"]] })));
  }
  const raw = url === "" ? sqliteRaw(path) : await pgRaw();
  const system = new ActorSystem({ name: "bench", logLevel: "error" });
  let onHandled: ((e: EventEnvelope) => void) | undefined;
  let rawRate = 0;
  let projectionRate = 0;
  for (let run = 0; run < RUNS; run++) {
    let start = performance.now();
    const rows = await raw.read();
    rawRate = Math.max(rawRate, rows / ((performance.now() - start) / 1000));

    let handled = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    start = performance.now();
    const view = projection(system, {
      name: `bench-${run}`,
      journal,
      tag: "account",
      offsetStore: new InMemoryOffsetStore(),
      handler: (e) => {
        if (++handled === total) done();
        onHandled?.(e);
      },
    });
    await finished;
    projectionRate = Math.max(projectionRate, total / ((performance.now() - start) / 1000));
    if (run < RUNS - 1) view.ref.tell({ kind: "stop" }); // the last one stays for the live latency
  }

  const latencies: number[] = [];
  for (let i = 0; i < 500; i++) {
    const at = performance.now();
    const seen = new Promise<void>((resolve) => (onHandled = () => resolve()));
    await journal.append("live", [{ amount: 0 }], i, { tags: [["account"]] });
    await seen;
    latencies.push(performance.now() - at);
  }
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  const rows: Row[] = [
    {
      name: `projection over 100,000 tagged events (${kind})`,
      value: projectionRate,
      unit: "events/s",
      baselineValue: rawRate,
      note: "in-memory offsets, summing handler; raw: SELECT of the same rows",
      goal: { atLeastRatio: 0.5 },
    },
    { name: `live query persist → handler p50 (${kind})`, value: q(0.5), unit: "ms" },
    { name: `live query persist → handler p99 (${kind})`, value: q(0.99), unit: "ms" },
  ];
  emit(rows);
  await system.shutdown();
  await journal.close();
  await raw.close();
} finally {
  dir.remove();
}
