// Replicated accounts on three and five nodes in this process, one InMemoryJournal per node: an
// account's state survives the loss of its node only through its replicas.
import { afterEach, describe, expect, it } from "vitest";
import { shardOf } from "../../src/index.js";
import { waitFor } from "../support/wait.js";
import { eventually } from "../sharding/fixtures/nodes.js";
import type { AccountView } from "./fixtures/account.js";
import { deposit, primaryOf, ReplicatedNodes, stats, view, type Node } from "./fixtures/nodes.js";

const NUM_SHARDS = 20;
let nodes: ReplicatedNodes | undefined;
afterEach(async () => {
  await nodes?.shutdownAll();
  nodes = undefined;
});

const accounts = (count: number) => Array.from({ length: count }, (_, i) => `acct-${i}`);

/** One deposit of 1 to every account from every node; resolves when all are acknowledged. */
async function depositEverywhere(all: readonly Node[], ids: readonly string[], round: string): Promise<void> {
  await Promise.all(all.flatMap((n, i) => ids.map((id) => deposit(n, id, 1, `${round}-${i}-${id}`))));
}

/** Every account's view, by id, answered from `from`. */
async function balances(from: Node, ids: readonly string[]): Promise<Map<string, AccountView>> {
  const views = await Promise.all(ids.map((id) => eventually(() => view(from, id, 1000), 20_000, `account ${id}`)));
  return new Map(views.map((v, i) => [ids[i], v]));
}

function expectExactlyOnce(deposits: readonly string[]): void {
  expect(new Set(deposits).size).toBe(deposits.length);
}

/** Waits until every region knows a primary and `replicas` replicas (on distinct nodes) for the accounts' shards. */
async function replicated(all: readonly Node[], ids: readonly string[], replicas: number): Promise<void> {
  const used = new Set(ids.map((id) => shardOf(id, NUM_SHARDS)));
  await waitFor(
    () =>
      all.every((n) => {
        const shards = stats(n).replication;
        return [...used].every((shard) => {
          const s = shards?.get(shard);
          return s !== undefined && s.replicas.length === replicas && new Set([s.primary, ...s.replicas]).size === replicas + 1;
        });
      }),
    10_000,
    `every shard with ${replicas} replicas`,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}: ${JSON.stringify(all.map((n) => [n.address, [...(stats(n).replication ?? [])]]))}`);
  });
}

/** Whether every replica of each account's shard holds `seqNr` events of it in its own journal. */
async function replicasHold(all: readonly Node[], ids: readonly string[], seqNr: number): Promise<boolean> {
  for (const id of ids) {
    const s = stats(all[0]).replication?.get(shardOf(id, NUM_SHARDS));
    if (s === undefined) return false;
    for (const r of s.replicas) {
      const node = all.find((n) => n.address === r);
      if (node === undefined || (await node.journal.highestSeqNr(id)) !== seqNr) return false;
    }
  }
  return true;
}

async function eventuallyTrue(check: () => Promise<boolean>, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("shard replication", () => {
  it.each([
    [1, 1],
    [1, 0],
    [2, 2],
  ])(
    "replicas %i, minAcks %i on 3 nodes: deposits from every node applied exactly once, on the replicas too",
    { timeout: 60_000 },
    async (replicas, minAcks) => {
      nodes = new ReplicatedNodes({ replicas, minAcks, ackTimeout: 5000 }, NUM_SHARDS);
      const all = await nodes.cluster(3);
      const ids = accounts(40);
      await depositEverywhere(all, ids, "r1");
      await replicated(all, ids, replicas);
      await depositEverywhere(all, ids, "r2");
      const after = await balances(all[1], ids);
      for (const [, v] of after) {
        expect(v.balance).toBe(6);
        expectExactlyOnce(v.deposits);
      }
      // each replica's own journal holds the account's six events
      await eventuallyTrue(() => replicasHold(all, ids, 6), 5000, "every replica to hold every event");
      await waitFor(() => all.every((n) => [...stats(n).replication!.values()].every((s) => s.lag === 0)), 5000, "no replication lag");
    },
  );

  it("the primary's node leaves: its shards go to a replica, every deposit is there, writes go on", { timeout: 60_000 }, async () => {
    nodes = new ReplicatedNodes({ replicas: 1, minAcks: 1, ackTimeout: 5000 }, NUM_SHARDS);
    const all = await nodes.cluster(3);
    const ids = accounts(30);
    await depositEverywhere(all, ids, "r1");
    const leaving = all.find((n) => stats(n).shards.length > 0)!;
    const staying = all.filter((n) => n !== leaving);
    const moved = ids.filter((id) => primaryOf(all, all[0], shardOf(id, NUM_SHARDS)) === leaving);
    expect(moved.length).toBeGreaterThan(0);
    await nodes.stop(leaving);
    for (const [, v] of await balances(staying[0], ids)) {
      expect(v.balance).toBe(3);
      expectExactlyOnce(v.deposits);
    }
    await depositEverywhere(staying, ids, "r2");
    for (const [, v] of await balances(staying[1], ids)) expect(v.balance).toBe(5);
    await replicated(staying, ids, 1);
  });

  it("the primary's node shuts down without leaving: a replica is promoted with every acknowledged deposit", { timeout: 60_000 }, async () => {
    nodes = new ReplicatedNodes({ replicas: 1, minAcks: 1, ackTimeout: 5000 }, NUM_SHARDS);
    const all = await nodes.cluster(3);
    const ids = accounts(30);
    await depositEverywhere(all, ids, "r1");
    const lost = all.find((n) => n !== all[0] && stats(n).shards.length > 0) ?? all[1];
    const staying = all.filter((n) => n !== lost);
    nodes.isolate(lost);
    await waitFor(() => staying.every((n) => n.system.cluster.state.members.every((m) => m.address !== lost.address)), 15_000, "the lost node to be removed");
    await nodes.stop(lost);
    for (const [, v] of await balances(staying[0], ids)) {
      expect(v.balance).toBe(3);
      expect(v.node).not.toBe(lost.address);
      expectExactlyOnce(v.deposits);
    }
    await depositEverywhere(staying, ids, "r2");
    for (const [, v] of await balances(staying[1], ids)) expect(v.balance).toBe(5);
  });

  it("replicas 2 on 5 nodes survive two successive failures", { timeout: 90_000 }, async () => {
    nodes = new ReplicatedNodes({ replicas: 2, minAcks: 1, ackTimeout: 5000 }, NUM_SHARDS);
    const all = await nodes.cluster(5);
    const ids = accounts(30);
    await depositEverywhere(all, ids, "r1");
    let alive = [...all];
    for (let failure = 1; failure <= 2; failure++) {
      const lost = alive.find((n) => n !== alive[0] && stats(n).shards.length > 0) ?? alive[1];
      alive = alive.filter((n) => n !== lost);
      nodes.isolate(lost);
      await waitFor(() => alive.every((n) => n.system.cluster.state.members.every((m) => m.address !== lost.address)), 15_000, `lost node ${failure} removed`);
      await nodes.stop(lost);
      for (const [, v] of await balances(alive[0], ids)) {
        expect(v.balance).toBe(failure === 1 ? 5 : 9);
        expectExactlyOnce(v.deposits);
      }
      if (failure === 1) await depositEverywhere(alive, ids, "r2");
    }
  });
});
