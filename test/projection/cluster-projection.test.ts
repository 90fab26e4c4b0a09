// A projection on three cluster nodes: it runs on one node only, and when that node leaves mid-stream
// another takes over from the stored offset; the SQLite view ends exactly equal to the write side.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { SqliteJournal, SqliteOffsetStore, type ClusteredActorSystem, type EventEnvelope } from "../../src/index.js";
import { waitFor } from "../support/wait.js";
import { Nodes } from "../distributed/fixtures/cluster.js";

const dir = mkdtempSync(join(tmpdir(), "casty-cluster-projection-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let nodes: Nodes;
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await nodes.shutdownAll();
  for (const close of closers.splice(0)) await close();
});

describe("projection in a cluster", () => {
  it("runs once in the cluster and moves on when its node leaves; the view equals the write side", async () => {
    nodes = new Nodes();
    const systems = await nodes.cluster(3);
    const handledOn = new Set<string>();
    const node = (system: ClusteredActorSystem) => {
      const journal = new SqliteJournal(join(dir, "journal.db"), { pollInterval: 20 });
      const offsetStore = new SqliteOffsetStore(join(dir, "view.db"));
      offsetStore.db.exec("CREATE TABLE IF NOT EXISTS balances (entity_id TEXT PRIMARY KEY, balance INTEGER NOT NULL)");
      const upsert = offsetStore.db.prepare("INSERT INTO balances VALUES (?, ?) ON CONFLICT (entity_id) DO UPDATE SET balance = balance + excluded.balance");
      closers.push(async () => {
        offsetStore.close();
        await journal.close();
      });
      system.projection({
        name: "balances",
        journal,
        tag: "account",
        offsetStore,
        handler: (e: EventEnvelope) => {
          handledOn.add(system.selfAddress);
          upsert.run(e.entityId, (e.event as { amount: number }).amount);
        },
      });
      return { journal, offsetStore };
    };
    const perNode = systems.map(node);
    // each node's own accounts write through its own journal object
    const write = async (round: number) => {
      await Promise.all(perNode.map(({ journal }, k) => journal.append(`acc-${k}`, [{ amount: round }], round - 1, { tags: [["account"]] })));
    };
    for (let round = 1; round <= 20; round++) await write(round);
    const total = () => perNode[1].offsetStore.db.prepare<[], number>("SELECT coalesce(sum(balance), 0) FROM balances").pluck().get() ?? 0;
    await waitFor(() => total() > 0, 10_000, "the projection to start");
    expect(handledOn.size).toBe(1);
    const leaving = systems.find((s) => handledOn.has(s.selfAddress));
    if (leaving === undefined) throw new Error("no node ran the projection");
    await nodes.stop(leaving); // mid-stream: more events follow
    for (let round = 21; round <= 40; round++) await write(round);
    const expected = 3 * ((40 * 41) / 2);
    await waitFor(() => total() === expected, 20_000, "the view to catch up on another node");
    expect(handledOn.size).toBe(2);
    const view = perNode[1].offsetStore.db.prepare<[], [string, number]>("SELECT entity_id, balance FROM balances ORDER BY entity_id").raw().all();
    expect(view).toEqual([0, 1, 2].map((k) => [`acc-${k}`, (40 * 41) / 2]));
  }, 60_000);
});
