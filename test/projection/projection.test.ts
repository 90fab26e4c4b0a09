// Projections on one node: a balance view built from tagged account events, resumed from the stored
// offset after a stop, retried after a failing handler; exactly-once with the SQLite offset store.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  ActorSystem,
  InMemoryJournal,
  InMemoryOffsetStore,
  projection,
  SqliteJournal,
  SqliteOffsetStore,
  type ActorRef,
  type EventEnvelope,
  type StopProjection,
  type EventJournal,
  type ReadJournal,
} from "../../src/index.js";
import { CapturingLogger } from "../support/capturing-logger.js";
import { sleep, waitFor } from "../support/wait.js";

const dir = mkdtempSync(join(tmpdir(), "casty-projection-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let system: ActorSystem;
afterEach(async () => {
  await system.shutdown();
});

const amountOf = (e: EventEnvelope) => (e.event as { amount: number }).amount;

/** `count` deposits of 1..count spread over `accounts` entities, tagged "account". */
async function deposits(journal: EventJournal, count: number, accounts = 3, first = 0): Promise<void> {
  for (let i = first; i < first + count; i++) {
    const entity = `acc-${i % accounts}`;
    await journal.append(entity, [{ amount: i + 1 }], await journal.highestSeqNr(entity), { tags: [["account"]] });
  }
}

const sum = (from: number, to: number) => ((to - from) * (from + 1 + to)) / 2; // amounts from+1 … to

async function stopProjection(ref: ActorRef<StopProjection>): Promise<void> {
  ref.tell({ kind: "stop" });
  await waitFor(() => system.lookup(ref.path) === undefined, 5000, "the projection to stop");
}

describe("projection", () => {
  it("builds a view from the tagged events, follows new ones, and resumes from the stored offset after a stop", async () => {
    system = new ActorSystem({ name: "proj" });
    const journal = new InMemoryJournal();
    const offsetStore = new InMemoryOffsetStore();
    const seen: EventEnvelope[] = [];
    const options = { name: "balances", journal: journal as ReadJournal, tag: "account", offsetStore, handler: (e: EventEnvelope) => void seen.push(e) };
    await deposits(journal, 10);
    await journal.append("untagged", [{ amount: 1000 }], 0);
    const first = projection(system, options);
    await waitFor(() => seen.length === 10, 5000, "the stored events");
    await deposits(journal, 5, 3, 10);
    await waitFor(() => seen.length === 15, 5000, "the live events");
    await stopProjection(first.ref);
    await deposits(journal, 5, 3, 15); // while no projection runs
    projection(system, options);
    await waitFor(() => seen.length === 20, 5000, "the events written while stopped");
    expect(seen.map(amountOf)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1)); // each once, in order
    expect(await offsetStore.load("balances")).toBe(seen[19].offset);
  });

  it("a stopped projection's live query stops reading the journal", async () => {
    system = new ActorSystem({ name: "proj" });
    const journal = new InMemoryJournal({ pollInterval: 5 });
    let reads = 0;
    const read = journal.currentBatchesByTag.bind(journal);
    journal.currentBatchesByTag = (tag, offset) => (reads++, read(tag, offset));
    await deposits(journal, 2);
    const seen: EventEnvelope[] = [];
    const view = projection(system, { name: "stops", journal, tag: "account", offsetStore: new InMemoryOffsetStore(), handler: (e) => void seen.push(e) });
    await waitFor(() => seen.length === 2 && reads > 3, 5000, "the events and a few polls");
    await stopProjection(view.ref);
    await sleep(20); // a read in flight at the stop ends
    const after = reads;
    await sleep(100); // 20 poll intervals
    expect(reads).toBe(after);
  });

  it("a failing handler is retried from the stored offset (at-least-once), logging why", async () => {
    const log = new CapturingLogger();
    system = new ActorSystem({ name: "proj", logger: log });
    const journal = new InMemoryJournal();
    await deposits(journal, 6);
    const handled: number[] = [];
    let failures = 1;
    projection(system, {
      name: "flaky",
      journal,
      tag: "account",
      offsetStore: new InMemoryOffsetStore(),
      restartDelay: 10,
      handler: (e) => {
        if (amountOf(e) === 4 && failures-- > 0) throw new Error("view store down");
        handled.push(amountOf(e));
      },
    });
    await waitFor(() => handled.length === 6, 5000, "all events handled");
    expect(handled).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.lines.some((l) => l.message.includes("view store down"))).toBe(true);
  });

  it("with the SQLite offset store, the view and the offset commit together: exactly-once across failures and restarts", async () => {
    system = new ActorSystem({ name: "proj", logger: new CapturingLogger() });
    const journal = new SqliteJournal(join(dir, "journal.db"), { pollInterval: 20 });
    const offsetStore = new SqliteOffsetStore(join(dir, "view.db"));
    offsetStore.db.exec("CREATE TABLE balances (entity_id TEXT PRIMARY KEY, balance INTEGER NOT NULL)");
    const upsert = offsetStore.db.prepare("INSERT INTO balances VALUES (?, ?) ON CONFLICT (entity_id) DO UPDATE SET balance = balance + excluded.balance");
    let failEvery = 7;
    let handled = 0;
    const options = {
      name: "sqlite-balances",
      journal,
      tag: "account",
      offsetStore,
      restartDelay: 10,
      handler: (e: EventEnvelope) => {
        upsert.run(e.entityId, amountOf(e)); // written, then the handler fails: rolled back with the offset
        if (++handled % failEvery === 0) throw new Error("crash after the write");
      },
    };
    await deposits(journal, 30);
    const first = projection(system, options);
    await deposits(journal, 30, 3, 30);
    await waitFor(() => handled > 40, 10_000, "part of the stream");
    await stopProjection(first.ref); // mid-stream
    failEvery = 1_000_000;
    projection(system, options);
    const total = () => offsetStore.db.prepare<[], number>("SELECT coalesce(sum(balance), 0) FROM balances").pluck().get();
    await waitFor(() => total() === sum(0, 60), 10_000, "the view to catch up");
    const view = offsetStore.db.prepare<[], [string, number]>("SELECT entity_id, balance FROM balances ORDER BY entity_id").raw().all();
    const expected = [0, 1, 2].map((k) => [
      `acc-${k}`,
      Array.from({ length: 60 }, (_, i) => i + 1)
        .filter((a) => (a - 1) % 3 === k)
        .reduce((x, y) => x + y, 0),
    ]);
    expect(view).toEqual(expected);
    await system.shutdown();
    offsetStore.close();
    await journal.close();
  }, 30_000);
});
