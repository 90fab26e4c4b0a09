// Persistent structures: a whole-cluster restart keeps them (InMemoryJournal shared by both clusters;
// SqliteJournal: the file reopened); a call that gets no answer names its structure.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AskTimeoutError, InMemoryJournal, SqliteJournal, type ClusteredActorSystem, type EventJournal } from "../../src/index.js";
import { distributed } from "../../src/distributed/distributed.js";
import { Nodes } from "./fixtures/cluster.js";

let nodes: Nodes;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await nodes.shutdownAll();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function write(all: readonly ClusteredActorSystem[], journal: EventJournal): Promise<void> {
  const [a, b, c] = all.map((s) => distributed(s, { journal }));
  await Promise.all(Array.from({ length: 30 }, (_, i) => [a, b, c][i % 3].counter("views").increment(2)));
  await a.map<string, number[]>("lists").put("one", [1]);
  await b.map<string, number[]>("lists").put("two", [2, 2]);
  await c.map<string, number[]>("lists").delete("one");
  await a.set<string>("tags").add("red");
  await b.set<string>("tags").add("blue");
  await c.set<string>("tags").remove("red");
  for (const job of ["j1", "j2", "j3"]) await a.queue<string>("jobs").enqueue(job);
  expect(await c.queue<string>("jobs").dequeue()).toBe("j1");
}

async function read(all: readonly ClusteredActorSystem[], journal: EventJournal): Promise<void> {
  const [a, b, c] = all.map((s) => distributed(s, { journal }));
  expect(await b.counter("views").get()).toBe(60);
  expect(await c.map<string, number[]>("lists").get("one")).toBeUndefined();
  expect(await a.map<string, number[]>("lists").get("two")).toEqual([2, 2]);
  expect(await a.set<string>("tags").size()).toBe(1);
  expect(await b.set<string>("tags").contains("blue")).toBe(true);
  expect(await c.queue<string>("jobs").size()).toBe(2);
  expect(await b.queue<string>("jobs").dequeue()).toBe("j2");
}

describe("persistent distributed data", () => {
  it("survives a restart of every node (InMemoryJournal shared by both clusters)", async () => {
    const journal = new InMemoryJournal();
    nodes = new Nodes();
    await write(await nodes.cluster(3), journal);
    await nodes.shutdownAll();
    await read(await nodes.cluster(3), journal);
  });

  it("survives a restart of every node (SqliteJournal, the file reopened)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "casty-dd-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "journal.db");
    nodes = new Nodes();
    const first = new SqliteJournal(path);
    await write(await nodes.cluster(3), first);
    await nodes.shutdownAll();
    await first.close();
    const second = new SqliteJournal(path);
    cleanups.push(() => second.close());
    await read(await nodes.cluster(3), second);
  });

  it("destroy removes a persistent structure and its events and snapshots: after a restart of every node it reads as new", async () => {
    const dir = mkdtempSync(join(tmpdir(), "casty-dd-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "journal.db");
    /** The journal's rows of the structures named gone-…: events, snapshots, tags. */
    const rowsOfGone = () => {
      const db = new Database(path, { readonly: true });
      try {
        return ["casty_events", "casty_snapshots", "casty_tags"].map(
          (table) => db.prepare(`SELECT count(*) FROM ${table} WHERE entity_id LIKE '%.gone-%'`).pluck().get() as number,
        );
      } finally {
        db.close();
      }
    };
    nodes = new Nodes();
    const first = new SqliteJournal(path);
    const [a, b] = (await nodes.cluster(2)).map((s) => distributed(s, { journal: first }));
    await a.counter("gone-counter").increment(7);
    await b.counter("kept").increment(3);
    await b.map<string, string>("gone-map").put("k1", "v1");
    await a.map<string, string>("gone-map").put("k2", "v2");
    await a.set<string>("gone-set").add("x");
    await b.queue<string>("gone-queue").enqueue("job");
    expect(rowsOfGone()[0]).toBeGreaterThan(0);
    await b.counter("gone-counter").destroy();
    await a.map<string, string>("gone-map").destroy();
    await b.set<string>("gone-set").destroy();
    await a.queue<string>("gone-queue").destroy();
    expect(rowsOfGone()).toEqual([0, 0, 0]);
    await nodes.shutdownAll();
    await first.close();
    const second = new SqliteJournal(path);
    cleanups.push(() => second.close());
    const [c] = (await nodes.cluster(1)).map((s) => distributed(s, { journal: second }));
    expect(await c.counter("gone-counter").get()).toBe(0);
    expect(await c.map<string, string>("gone-map").get("k1")).toBeUndefined();
    expect(await c.map<string, string>("gone-map").contains("k2")).toBe(false);
    expect(await c.set<string>("gone-set").size()).toBe(0);
    expect(await c.queue<string>("gone-queue").dequeue()).toBeUndefined();
    expect(await c.counter("kept").get()).toBe(3);
    expect(await c.counter("gone-counter").increment(1)).toBe(1); // continues after the deleted events: no conflict
    expect(rowsOfGone()[0]).toBe(1);
  });

  it("a call without an answer rejects with AskTimeoutError naming the structure", async () => {
    const stalled = new InMemoryJournal();
    stalled.append = () => new Promise<void>(() => undefined); // a journal that never acknowledges
    nodes = new Nodes();
    const [a] = await nodes.cluster(1, { shutdown: { phaseTimeout: 1000 } }); // its entity never stops persisting
    const error = await distributed(a, { journal: stalled })
      .counter("stuck", { timeout: 300 })
      .increment()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AskTimeoutError);
    expect((error as Error).message).toContain('counter "stuck"');
  });
});
