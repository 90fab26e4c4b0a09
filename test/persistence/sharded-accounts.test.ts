// Event-sourced accounts under sharding on three nodes sharing one journal store (a SQLite file, a
// PostgreSQL database): shards move by rebalance, leave and crash (kill -9 of a node process), and
// every acknowledged deposit is still in its account's balance afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { regionStats, shardOf } from "../../src/index.js";
import { startPostgres } from "../support/postgres.js";
import { NodeProcess, type NodeLine } from "../support/node-process.js";
import { waitFor } from "../support/wait.js";
import { balance, eventually, Ledger, NUM_SHARDS, ownedShards, startBankNode, waitForMembers, type BankNode } from "./fixtures/bank-cluster.js";

const dir = mkdtempSync(join(tmpdir(), "casty-bank-"));
const database = await startPostgres();
const stores: [string, (() => string) | undefined][] = [
  [
    "a shared SqliteJournal file",
    (() => {
      let n = 0;
      return () => `sqlite:${join(dir, `bank-${n++}.db`)}`;
    })(),
  ],
  ["a shared PostgreSQL database", typeof database === "string" ? undefined : () => `postgres:${database.url}`],
];

let nodes: BankNode[] = [];
const children: NodeProcess[] = [];
afterEach(async () => {
  for (const c of children) c.kill("SIGKILL");
  await waitFor(() => children.every((c) => c.exited !== undefined), 5000, "node processes to exit");
  children.length = 0;
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (typeof database !== "string") await database.stop();
});

/** Account ids, fresh for each test (the tests of one store share its database). */
let ids: string[] = [];
let test = 0;
beforeEach(() => {
  test++;
  ids = Array.from({ length: 60 }, (_, i) => `t${test}-acct-${i}`);
});

async function start(spec: string, seeds: readonly string[]): Promise<BankNode> {
  const node = await startBankNode(spec, seeds);
  nodes.push(node);
  return node;
}

/** One deposit into every account, through the given nodes in turn. */
async function round(ledger: Ledger, via: readonly BankNode[], amount: number): Promise<void> {
  await Promise.all(ids.map((id, i) => ledger.deposit(via[i % via.length], id, amount)));
}

async function expectBalances(ledger: Ledger, via: readonly BankNode[]): Promise<void> {
  const problems: string[] = [];
  for (const [i, id] of ids.entries()) {
    const actual = await eventually(() => balance(via[i % via.length], id), 15_000, `balance of ${id}`);
    const problem = ledger.check(id, actual);
    if (problem) problems.push(problem);
  }
  expect(problems).toEqual([]);
}

for (const [store, spec] of stores) {
  describe.skipIf(spec === undefined)(`sharded event-sourced accounts on ${store}`, () => {
    it("keep every balance while shards move by rebalance and by a node leaving", { timeout: 90_000 }, async () => {
      const where = spec!();
      const ledger = new Ledger();
      const a = await start(where, []);
      await a.system.cluster.whenUp(10_000);
      await round(ledger, [a], 1);
      await round(ledger, [a], 2);
      expect(ledger.unsure.size).toBe(0);

      const [b, c] = await Promise.all([start(where, [a.address]), start(where, [a.address])]);
      await waitForMembers([a.system, b.system, c.system], 3, 15_000);
      // traffic goes on while the coordinator hands shards to the new nodes
      let amount = 3;
      await waitFor(() => ownedShards(b).length >= 4 && ownedShards(c).length >= 4, 30_000, "shards to move to b and c");
      await round(ledger, [a, b, c], amount++);
      await expectBalances(ledger, [a, b, c]);

      // c leaves: its shards (and their accounts, which took deposits on a and on c) move to a and b
      const leaving = new Set(ownedShards(c));
      const moved = ids.filter((id) => leaving.has(shardOf(id, NUM_SHARDS)));
      expect(moved.length).toBeGreaterThan(0);
      const traffic = round(ledger, [a, b], amount++);
      nodes = nodes.filter((n) => n !== c);
      await c.stop();
      await traffic;
      await waitForMembers([a.system, b.system], 2, 15_000);
      await round(ledger, [a, b], amount++);
      await expectBalances(ledger, [b, a]);
      const now = new Set([...ownedShards(a), ...ownedShards(b)]);
      for (const id of moved) expect(now.has(shardOf(id, NUM_SHARDS))).toBe(true);
    });

    it("keep every acknowledged deposit when a node process is killed with -9 mid-traffic", { timeout: 90_000 }, async () => {
      const where = spec!();
      const ledger = new Ledger();
      const a = await start(where, []);
      await a.system.cluster.whenUp(10_000);
      const b = await start(where, [a.address]);
      const child = new NodeProcess("test/persistence/fixtures/bank-node.ts", [where, a.address]);
      children.push(child);
      await waitFor(() => child.lines.some((l: NodeLine) => l.type === "up") || child.exited !== undefined, 20_000, "the node process to be Up").catch(
        (e: unknown) => {
          throw new Error(`${String(e)}: ${child.describe()}`);
        },
      );
      await waitForMembers([a.system, b.system], 3, 15_000);
      const childAddress = child.address!;
      const onChild = () => regionStats(a.accounts)?.allocation.get(childAddress) ?? [];
      let amount = 1;
      await round(ledger, [a, b], amount++); // shards are allocated on first use, then rebalanced
      await waitFor(() => onChild().length >= 3, 30_000, "shards on the node process");
      await round(ledger, [a, b], amount++);
      const hosted = new Set(onChild());
      expect(ids.some((id) => hosted.has(shardOf(id, NUM_SHARDS)))).toBe(true);

      const traffic = (async () => {
        for (let k = 0; k < 4; k++) await round(ledger, [a, b], amount++);
      })();
      await new Promise((resolve) => setTimeout(resolve, 30));
      child.kill("SIGKILL");
      await traffic;
      await waitForMembers([a.system, b.system], 2, 30_000);
      await round(ledger, [a, b], amount++);
      await expectBalances(ledger, [a, b]);
      const acked = [...ledger.acked.values()].reduce((x, y) => x + y, 0);
      console.log(
        `kill -9 on ${store}: ${acked} acknowledged, ${[...ledger.unsure.values()].reduce((x, y) => x + y, 0)} unsure, every acknowledged deposit kept`,
      );
    });
  });
}
for (const [store, spec] of stores) if (spec === undefined && typeof database === "string") describe(store, () => it.skip(database, () => {}));
