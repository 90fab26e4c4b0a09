// Replicas that miss pushes: one cut off for a while, one that joins late, a primary cut off from its
// only replica (its command gets no reply), and an old primary that comes back after a promotion.
import { afterEach, describe, expect, it } from "vitest";
import { AskTimeoutError, shardOf } from "../../src/index.js";
import { sleep, waitFor } from "../support/wait.js";
import { eventually } from "../sharding/fixtures/nodes.js";
import { cut, deposit, ReplicatedNodes, stats, view, type Node } from "./fixtures/nodes.js";

const NUM_SHARDS = 20;
let nodes: ReplicatedNodes | undefined;
afterEach(async () => {
  await nodes?.shutdownAll();
  nodes = undefined;
});

/** No downing while traffic is cut for a few seconds. */
const patient = { downing: { stableAfter: 60_000 } };

/** The primary and replicas of `id`'s shard as `from` knows them. */
function holders(all: readonly Node[], from: Node, id: string): { primary: Node; replicas: Node[] } {
  const s = stats(from).replication!.get(shardOf(id, NUM_SHARDS))!;
  const byAddress = (a: string) => all.find((n) => n.address === a)!;
  return { primary: byAddress(s.primary), replicas: s.replicas.map(byAddress) };
}

async function held(node: Node, id: string, seqNr: number, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await node.journal.highestSeqNr(id)) !== seqNr) {
    if (Date.now() > deadline) throw new Error(`${what}: ${node.address} holds ${await node.journal.highestSeqNr(id)} events of ${id}, not ${seqNr}`);
    await sleep(20);
  }
}

describe("replica catch-up", () => {
  it("a replica cut off for a while is told what it misses (or finds the gap at the next push) and catches up", { timeout: 60_000 }, async () => {
    nodes = new ReplicatedNodes({ replicas: 2, minAcks: 1, ackTimeout: 3000 }, NUM_SHARDS);
    const all = await nodes.cluster(3, patient);
    const id = "acct-offline";
    await deposit(all[0], id, 1, "d0");
    const { primary, replicas } = holders(all, all[0], id);
    const [offline, online] = replicas;
    cut(primary, offline, true);
    for (let i = 1; i <= 10; i++) await deposit(primary, id, 1, `d${i}`); // acknowledged by the other replica
    await held(online, id, 11, "the replica still reached");
    expect(await offline.journal.highestSeqNr(id)).toBe(1);
    cut(primary, offline, false);
    await held(offline, id, 11, "the replica that was cut off, told what it misses"); // without a new push
    await deposit(primary, id, 1, "d11");
    await held(offline, id, 12, "the replica that was cut off");
    // its journal has them in order: a promotion there would recover all of them
    const replayed: string[] = [];
    for await (const e of offline.journal.replay(id, 1)) replayed.push((e.event as { depositId: string }).depositId);
    expect(replayed).toEqual(Array.from({ length: 12 }, (_, i) => `d${i}`));
  });

  it("a node that joins gets the missing replicas, seeded with the events before it came", { timeout: 60_000 }, async () => {
    nodes = new ReplicatedNodes({ replicas: 2, minAcks: 1, ackTimeout: 3000 }, NUM_SHARDS);
    const two = await nodes.cluster(2);
    const ids = Array.from({ length: 20 }, (_, i) => `acct-${i}`);
    for (const id of ids) for (let i = 0; i < 3; i++) await deposit(two[i % 2], id, 1, `${id}-${i}`);
    const third = await nodes.start([two[0].address]);
    const all = [...two, third];
    await waitFor(() => ids.every((id) => stats(third).replication?.get(shardOf(id, NUM_SHARDS))?.replicas.length === 2), 10_000, "two replicas per shard");
    // where the new node holds a replica, it is seeded; where a rebalance made it the primary, the
    // entity fills its journal from the other holders when it recovers there
    for (const id of ids) expect((await eventually(() => view(third, id, 1000), 10_000, id)).balance).toBe(3);
    for (const id of ids) {
      const { primary, replicas } = holders(all, third, id);
      for (const node of [primary, ...replicas]) await held(node, id, 3, primary === third ? "the new primary" : "a replica");
    }
  });

  it("a primary cut off from its only replica: the command gets no reply, the entity goes on, the replica catches up", { timeout: 60_000 }, async () => {
    nodes = new ReplicatedNodes({ replicas: 1, minAcks: 1, ackTimeout: 500 }, NUM_SHARDS);
    const all = await nodes.cluster(3, patient);
    const id = "acct-timeout";
    await deposit(all[0], id, 1, "d0");
    const { primary, replicas } = holders(all, all[0], id);
    cut(primary, replicas[0], true);
    await expect(deposit(primary, id, 1, "d1", 1500)).rejects.toBeInstanceOf(AskTimeoutError);
    // the events are in the primary's journal and state, only not acknowledged
    expect((await view(primary, id)).deposits).toEqual(["d0", "d1"]);
    cut(primary, replicas[0], false);
    await deposit(primary, id, 1, "d2");
    await held(replicas[0], id, 3, "the replica after the cut");
  });
});

describe("an old primary", () => {
  it("cut off while its replica is promoted: its writes never succeed nor reach the promoted primary; back, it routes there", { timeout: 60_000 }, async () => {
    nodes = new ReplicatedNodes({ replicas: 1, minAcks: 1, ackTimeout: 1000 }, NUM_SHARDS);
    const all = await nodes.cluster(3, { shutdownWhenRemoved: false });
    const candidates = ["a", "b", "c", "d", "e", "f"].map((s) => `acct-${s}`);
    for (const x of candidates) await deposit(all[0], x, 1, "before");
    const id = candidates.find((x) => holders(all, all[0], x).primary !== all[0]) ?? candidates[0];
    const { primary: old } = holders(all, all[0], id);
    const others = all.filter((n) => n !== old);
    nodes.isolate(old);
    // it still runs the entity, which persists but never gets its ack
    await expect(deposit(old, id, 1, "stale", 2000)).rejects.toBeInstanceOf(AskTimeoutError);
    await waitFor(() => others.every((n) => n.system.cluster.state.members.every((m) => m.address !== old.address)), 15_000, "the old primary removed");
    const promoted = await eventually(() => view(others[0], id, 1000), 15_000, "the account on the promoted replica");
    expect(promoted.deposits).toEqual(["before"]);
    expect(promoted.node).not.toBe(old.address);
    nodes.isolate(old, false);
    await deposit(others[1], id, 1, "after");
    const answered = await eventually(() => deposit(old, id, 1, "back", 1000), 15_000, "a deposit through the old primary's node");
    expect(answered).toBe(3);
    expect((await view(others[0], id)).deposits).toEqual(["before", "after", "back"]);
  });
});
