// Read-side figures on a SqliteJournal (a temp file, WAL): 100,000 events tagged "account" over 1,000
// entities, then
//   - raw SELECT: better-sqlite3 reads the same tagged rows (join on casty_tags, pages of 1000) → rows/s
//   - projection: system.projection with an in-memory offset store and a summing handler → events/s
//   - live latency: one event at a time, persist → handler, p50 / p99
// Run: npx tsx bench/persistence/projection.ts
import { join } from "node:path";
import Database from "better-sqlite3";
import { ActorSystem, InMemoryOffsetStore, projection, SqliteJournal, type EventEnvelope } from "../../src/index.js";
import { tempDir } from "./common.js";

const total = 100_000;
const dir = tempDir();
try {
  const path = join(dir.path, "journal.db");
  const journal = new SqliteJournal(path, { pollInterval: 10 });
  const entities = 1000;
  const perEntity = total / entities;
  for (let round = 0; round < perEntity; round++) {
    await Promise.all(Array.from({ length: entities }, (_, k) => journal.append(`acc-${k}`, [{ amount: round + 1 }], round, { tags: [["account"]] })));
  }

  const db = new Database(path, { readonly: true });
  const page = db
    .prepare<[string, number], [number, string, number, Buffer]>(
      `SELECT t.ordering, t.entity_id, t.seq_nr, e.event FROM casty_tags t JOIN casty_events e ON e.entity_id = t.entity_id AND e.seq_nr = t.seq_nr
     WHERE t.tag = ? AND t.ordering > ? ORDER BY t.ordering LIMIT 1000`,
    )
    .raw();
  let start = performance.now();
  let rows = 0;
  for (let last = 0; ;) {
    const got = page.all("account", last);
    rows += got.length;
    if (got.length < 1000) break;
    last = got[got.length - 1][0];
  }
  const rawRate = rows / ((performance.now() - start) / 1000);
  db.close();

  const system = new ActorSystem({ name: "bench", logLevel: "error" });
  let handled = 0;
  let sum = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  let onHandled: ((e: EventEnvelope) => void) | undefined;
  start = performance.now();
  projection(system, {
    name: "bench",
    journal,
    tag: "account",
    offsetStore: new InMemoryOffsetStore(),
    handler: (e) => {
      sum += (e.event as { amount: number }).amount;
      if (++handled === total) done();
      onHandled?.(e);
    },
  });
  await finished;
  const projectionRate = total / ((performance.now() - start) / 1000);

  const latencies: number[] = [];
  for (let i = 0; i < 500; i++) {
    const at = performance.now();
    const seen = new Promise<void>((resolve) => (onHandled = () => resolve()));
    await journal.append("live", [{ amount: 0 }], i, { tags: [["account"]] });
    await seen;
    latencies.push(performance.now() - at);
  }
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(2);
  console.log(`raw SELECT of the tagged rows: ${Math.round(rawRate)} rows/s`);
  console.log(
    `projection (SqliteJournal → handler, in-memory offsets): ${Math.round(projectionRate)} events/s (${((100 * projectionRate) / rawRate).toFixed(0)}% of raw); sum ${sum}`,
  );
  console.log(`live latency persist → handler: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms`);
  await system.shutdown();
  await journal.close();
} finally {
  dir.remove();
}
