// SqliteJournal figures (a journal file in a temp dir, WAL, synchronous=NORMAL):
//   --mode=concurrent  1,000 event-sourced entities persisting one event per command, all at once → events/s
//                      and the mean rows per transaction (the group commit's batch size)
//   --mode=raw         raw better-sqlite3, same schema, the same rows (pre-encoded) in transactions of
//                      --batch rows, entities interleaved as casty writes them → rows/s
//   --mode=sequential  one entity, persist → reply one at a time: p50/p99 latency and rate
//   --mode=recovery    one entity with 100,000 events: time to recover, without snapshots and with SnapshotEvery(1000)
import { join } from "node:path";
import Database from "better-sqlite3";
import { SnapshotEvery, SqliteJournal, type ActorRef } from "../../src/index.js";
import { RowCodec, standaloneSerialization } from "../../src/persistence/row-codec.js";
import { argNumber, argString, emit, LatencyRecorder, median, type Row } from "../harness.js";
import { benchSystem, within } from "../local/common.js";
import { concurrentPersists, countTransactions, summing, tempDir, type Added, type Cmd } from "./common.js";

const mode = argString("mode", "concurrent");
const entities = argNumber("entities", 1000);
const perEntity = argNumber("per-entity", 100);
const runs = argNumber("runs", 3);
const dir = tempDir();

try {
  if (mode === "concurrent") await concurrent();
  else if (mode === "raw") raw(argNumber("batch", entities));
  else if (mode === "sequential") await sequential();
  else if (mode === "recovery") await recovery();
  else throw new Error(`unknown --mode=${mode}`);
} finally {
  dir.remove();
}

async function concurrent(): Promise<void> {
  const journal = new SqliteJournal(join(dir.path, "journal.db"));
  const system = benchSystem("sqlite-bench");
  const counts = countTransactions(journal);
  await concurrentPersists(system, journal, entities, 10, -1); // warm-up
  const rates: number[] = [];
  const before = { ...counts };
  for (let r = 0; r < runs; r++) rates.push(await concurrentPersists(system, journal, entities, perEntity, r));
  const batch = (counts.rows - before.rows) / (counts.transactions - before.transactions);
  await system.shutdown();
  await journal.close();
  emit({ rate: median(rates), batch });
}

function raw(batch: number): void {
  const db = new Database(join(dir.path, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE casty_events (entity_id TEXT NOT NULL, seq_nr INTEGER NOT NULL, event BLOB NOT NULL, PRIMARY KEY (entity_id, seq_nr))");
  const insert = db.prepare("INSERT INTO casty_events (entity_id, seq_nr, event) VALUES (?, ?, ?)");
  const codec = new RowCodec(standaloneSerialization());
  const rates: number[] = [];
  for (let r = -1; r < runs; r++) {
    const per = r < 0 ? 10 : perEntity;
    const rows: [string, number, Uint8Array][] = [];
    for (let k = 1; k <= per; k++) {
      for (let i = 0; i < entities; i++) {
        const id = `r${r}-e${i}`;
        rows.push([id, k, codec.encodeEvent(id, k, { kind: "added", amount: 1, ref: `txn-${k - 1}` } satisfies Added, Date.now(), "writer")]);
      }
    }
    const write = db.transaction((from: number, to: number) => {
      for (let j = from; j < to; j++) insert.run(...rows[j]);
    });
    const t0 = performance.now();
    for (let j = 0; j < rows.length; j += batch) write.immediate(j, Math.min(rows.length, j + batch));
    if (r >= 0) rates.push(rows.length / ((performance.now() - t0) / 1000));
  }
  db.close();
  emit({ rate: median(rates) });
}

async function sequential(): Promise<void> {
  const journal = new SqliteJournal(join(dir.path, "journal.db"));
  const system = benchSystem("sqlite-seq");
  const ref = system.spawn(
    summing("one", journal, () => {}),
    "one",
  );
  const add = (replyTo: ActorRef<number>): Cmd => ({ kind: "add", events: 1, replyTo });
  for (let i = 0; i < 2000; i++) await system.ask(ref, add); // warm-up
  const latency = new LatencyRecorder(200_000);
  const t0 = performance.now();
  while (!latency.full && performance.now() - t0 < 3000) {
    const t = performance.now();
    await system.ask(ref, add);
    latency.since(t);
  }
  const rate = latency.count / ((performance.now() - t0) / 1000);
  const s = latency.summary();
  await system.shutdown();
  await journal.close();
  const rows: Row[] = [
    { name: "SqliteJournal: one entity, persist → reply, p50", value: s.p50, unit: "µs" },
    { name: "SqliteJournal: one entity, persist → reply, p99", value: s.p99, unit: "µs" },
    { name: "SqliteJournal: one entity, sequential persist → reply", value: rate, unit: "rt/s" },
  ];
  emit(rows);
}

async function recovery(): Promise<void> {
  const journal = new SqliteJournal(join(dir.path, "journal.db"));
  const system = benchSystem("sqlite-recovery");
  const events = argNumber("events", 100_000);
  const rows: Row[] = [];
  for (const [label, policy, goal] of [
    ["without snapshots", undefined, 1000],
    ["with SnapshotEvery(1000)", new SnapshotEvery(1000), 50],
  ] as const) {
    const id = policy ? "snapshotted" : "plain";
    const writer = system.spawn(
      summing(id, journal, () => {}, policy),
      `${id}-writer`,
    );
    for (let n = 0; n < events; n += 100) await system.ask(writer, (replyTo: ActorRef<number>): Cmd => ({ kind: "add", events: 100, replyTo }));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the last snapshot lands
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      const ref = system.spawn(
        summing(id, journal, () => {}, policy),
        `${id}-${r}`,
      );
      const total = await within(
        system.ask(ref, (replyTo: ActorRef<number>): Cmd => ({ kind: "get", replyTo }), { timeout: 30_000 }),
        30_000,
        "recovery",
      );
      times.push(performance.now() - t0);
      if (total !== events) throw new Error(`recovered ${total}, expected ${events}`);
    }
    rows.push({ name: `SqliteJournal: recover one entity of 100,000 events, ${label}`, value: median(times), unit: "ms", goal: { atMost: goal } });
  }
  await system.shutdown();
  await journal.close();
  emit(rows);
}
