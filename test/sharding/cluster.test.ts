// Three (and four) clustered nodes in this process running the sharded counter.
import { afterEach, describe, expect, it } from "vitest";
import { DeadLetter, ShardEnvelope } from "../../src/index.js";
import { shardOf } from "../../src/sharding/shard-id.js";
import { sleep, waitFor } from "../support/wait.js";
import { doubleStarts, live, starts, type CounterState } from "./fixtures/counter.js";
import { eventually, get, ids, inc, ShardedNodes, stats, waitForUp, type Node } from "./fixtures/nodes.js";

let nodes: ShardedNodes;
afterEach(async () => {
  await nodes?.shutdownAll();
  doubleStarts.length = 0;
});

/** Every node's owned shards, checked to be disjoint; the union's size. */
function ownership(all: readonly Node[]): { perNode: Map<string, number[]>; total: number } {
  const perNode = new Map(all.map((n) => [n.address, [...stats(n).shards]]));
  const seen = new Map<number, string>();
  for (const [node, shards] of perNode) {
    for (const shard of shards) {
      expect(seen.get(shard), `shard ${shard} owned by ${seen.get(shard)} and ${node}`).toBeUndefined();
      seen.set(shard, node);
    }
  }
  return { perNode, total: seen.size };
}

function describeOwnership(all: readonly Node[]): string {
  return JSON.stringify(all.map((n) => [n.address, stats(n).shards.length, stats(n).entities]));
}

describe("sharding on three nodes", () => {
  it("spreads 1,000 entities over all nodes, one owner per shard", async () => {
    nodes = new ShardedNodes();
    const all = await nodes.cluster(3);
    const entityIds = ids(1000);
    const replies = await Promise.all(entityIds.map((id) => inc(all[0], id, 5000)));
    expect(replies.every((r) => r.count === 1)).toBe(true);
    const usedShards = new Set(entityIds.map((id) => shardOf(id, 100)));
    await waitFor(
      () => all.every((n) => stats(n).shards.length > 15) && ownership(all).total === usedShards.size,
      10_000,
      "every node to own more than 15% of the shards",
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${describeOwnership(all)}`);
    });
    const { perNode } = ownership(all);
    for (const [, shards] of perNode) expect(shards.length).toBeGreaterThan(15);
    // entities run where their shard is owned, and the owner answers to every node
    for (const r of replies) expect(perNode.get(r.node)).toContain(shardOf(r.id, 100));
    expect(all.reduce((sum, n) => sum + stats(n).entities, 0)).toBe(1000);
    // every region's view of the allocation agrees with what the owners report
    await waitFor(
      () => all.every((n) => [...perNode].every(([node, shards]) => JSON.stringify(stats(n).allocation.get(node)) === JSON.stringify(shards))),
      5000,
      "every region to know the whole allocation",
    );
    for (const id of entityIds.slice(0, 50)) {
      const from1 = await get(all[1], id);
      const from2 = await get(all[2], id);
      expect(from1).toEqual(from2);
      expect(from1.count).toBe(1);
    }
  });

  it("hosts shards only on nodes with the role; the others route", async () => {
    nodes = new ShardedNodes({ role: "shards" });
    const first = await nodes.start([], { roles: ["shards"] });
    const proxy = await nodes.start([first.address]);
    const second = await nodes.start([first.address], { roles: ["shards", "other"] });
    const all = [first, proxy, second];
    await waitForUp(
      all.map((n) => n.system),
      15_000,
    );
    const entityIds = ids(300);
    const replies = await Promise.all(entityIds.map((id, i) => inc(all[i % 3], id, 5000)));
    expect(replies.every((r) => r.count === 1)).toBe(true);
    expect(replies.filter((r) => r.node === proxy.address)).toEqual([]);
    expect(stats(proxy)).toMatchObject({ shards: [], entities: 0 });
    expect(stats(first).shards.length).toBeGreaterThan(30);
    expect(stats(second).shards.length).toBeGreaterThan(30);
    for (const id of entityIds.slice(0, 30)) expect((await get(proxy, id)).count).toBe(1);
  });

  it("buffers up to bufferSize messages while no node can host their shard, then delivers them", async () => {
    nodes = new ShardedNodes({ role: "shards", bufferSize: 10 });
    const proxy = await nodes.start([]);
    await proxy.system.cluster.whenUp(10_000);
    const dead: unknown[] = [];
    proxy.system.eventStream.subscribe(DeadLetter, (d) => dead.push(d.message));
    for (let i = 0; i < 15; i++) proxy.region.tell(new ShardEnvelope("waiting", { kind: "inc" }));
    for (let i = 0; i < 3; i++) proxy.region.tell(new ShardEnvelope("waiting-too", { kind: "inc", by: 100 }));
    await sleep(300);
    expect(dead).toHaveLength(8); // 10 of the 18 wait
    const host = await nodes.start([proxy.address], { roles: ["shards"] });
    await waitForUp([proxy.system, host.system], 15_000);
    const waiting = await eventually(() => get(proxy, "waiting", 1000), 10_000, "the waiting entity");
    const waitingToo = await get(proxy, "waiting-too");
    expect(waiting.node).toBe(host.address);
    expect(waiting.count + waitingToo.count / 100).toBe(10);
  });

  it("delivers messages for one entity from every node to a single instance", async () => {
    nodes = new ShardedNodes();
    const all = await nodes.cluster(3);
    const entityIds = ids(6, "acct");
    const N = 25;
    // every node increments every entity N times, one ask after the other, all nodes at once
    await Promise.all(
      all.flatMap((node) =>
        entityIds.map(async (id) => {
          for (let i = 0; i < N; i++) await inc(node, id, 5000);
        }),
      ),
    );
    for (const id of entityIds) {
      const views = await Promise.all(all.map((n) => get(n, id)));
      expect(views.map((v) => v.count)).toEqual([3 * N, 3 * N, 3 * N]);
      expect(new Set(views.map((v) => `${v.node}#${v.incarnation}`)).size).toBe(1);
      expect(starts.filter(([, started]) => started === id)).toHaveLength(1);
      expect(live.get(id)).toBe(1);
    }
    expect(all.reduce((sum, n) => sum + stats(n).entities, 0)).toBe(entityIds.length);
    expect(doubleStarts).toEqual([]);
  });

  it("moves shards to a fourth node that joins", async () => {
    nodes = new ShardedNodes({ rebalanceInterval: 200 });
    const three = await nodes.cluster(3);
    const entityIds = ids(1000);
    await Promise.all(entityIds.map((id) => inc(three[0], id, 5000)));
    await waitFor(() => ownership(three).total === 100, 10_000, "100 shards allocated");
    const began = Date.now();
    const fourth = await nodes.start([three[0].address]);
    const all = [...three, fourth];
    await waitForUp(
      all.map((n) => n.system),
      15_000,
    );
    await waitFor(
      () => {
        const counts = all.map((n) => stats(n).shards.length);
        return ownership(all).total === 100 && Math.min(...counts) >= 24 && Math.max(...counts) <= 26;
      },
      20_000,
      "the fourth node to take its share",
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${describeOwnership(all)}`);
    });
    const tookMs = Date.now() - began;
    expect(stats(fourth).shards.length).toBeGreaterThanOrEqual(24);
    // every entity answers from its (possibly new) owner
    const { perNode } = ownership(all);
    const replies = await Promise.all(entityIds.map((id) => eventually(() => get(fourth, id, 1000), 5000, `entity ${id}`)));
    for (const r of replies) expect(perNode.get(r.node)).toContain(shardOf(r.id, 100));
    expect(replies.some((r) => r.node === fourth.address)).toBe(true);
    expect(doubleStarts).toEqual([]);
    console.log(`fourth node owns ${stats(fourth).shards.length} shards ${tookMs} ms after it started`);
  });

  it("loses no message while shards move to a joining node", async () => {
    nodes = new ShardedNodes({ rebalanceInterval: 100 }, true);
    const three = await nodes.cluster(3);
    const entityIds = ids(300, "acct");
    const sent = new Map<string, number>();
    await Promise.all(entityIds.map((id) => inc(three[1], id, 5000)));
    for (const id of entityIds) sent.set(id, 1);
    let streaming = true as boolean; // set to false by the test while the loop runs
    let i = 0;
    const stream = (async () => {
      while (streaming) {
        for (let k = 0; k < 100; k++, i++) {
          const id = entityIds[(i * 7) % entityIds.length];
          three[i % 3].region.tell(new ShardEnvelope(id, { kind: "inc" }));
          sent.set(id, sent.get(id)! + 1);
        }
        await sleep(2);
      }
    })();
    const fourth = await nodes.start([three[0].address]);
    const all = [...three, fourth];
    await waitFor(() => stats(fourth).shards.length >= 20, 20_000, "the fourth node to take its share").catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${describeOwnership(all)}`);
    });
    streaming = false;
    await stream;
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    await waitFor(() => entityIds.every((id) => nodes.store.get(id) === sent.get(id)), 10_000, `all ${total} increments to be counted`).catch((e: unknown) => {
      const wrong = entityIds.filter((id) => nodes.store.get(id) !== sent.get(id)).map((id) => `${id}: ${nodes.store.get(id)}/${sent.get(id)}`);
      throw new Error(`${(e as Error).message}; wrong: ${wrong.slice(0, 20).join(", ")} (${wrong.length})`);
    });
    expect(starts.some(([node, id]) => node === fourth.address && id.startsWith("acct-"))).toBe(true);
    expect(doubleStarts).toEqual([]);
    console.log(`rebalance under load: ${total} increments`);
  });

  it.each([
    ["a member", false],
    ["the leader", true],
  ])("hands shards off when %s leaves gracefully, losing no message sent meanwhile", async (_, leaderLeaves) => {
    nodes = new ShardedNodes({}, true);
    const all = await nodes.cluster(3);
    const leader = all[0].system.cluster.leader;
    const leaving = all.find((n) => (n.address === leader) === leaderLeaves)!;
    const staying = all.filter((n) => n !== leaving);
    const entityIds = ids(200, "acct");
    const sent = new Map<string, number>();
    await Promise.all(entityIds.map((id) => inc(staying[0], id, 5000)));
    for (const id of entityIds) sent.set(id, 1);
    await waitFor(() => stats(leaving).shards.length > 15, 10_000, "the leaving node to own shards");
    const leavingShards = new Set(stats(leaving).shards);

    // a stream of increments from the staying nodes while the third one leaves
    let streaming = true as boolean; // set to false by the test while the loop runs
    let i = 0;
    const stream = (async () => {
      while (streaming) {
        for (let k = 0; k < 100; k++, i++) {
          const id = entityIds[(i * 7) % entityIds.length];
          staying[i % 2].region.tell(new ShardEnvelope(id, { kind: "inc" }));
          sent.set(id, sent.get(id)! + 1);
        }
        await sleep(2);
      }
    })();
    await sleep(200);
    const began = Date.now();
    await nodes.stop(leaving);
    const leftMs = Date.now() - began;
    await sleep(300);
    streaming = false;
    await stream;

    const touchedLeaving = entityIds.filter((id) => leavingShards.has(shardOf(id, 100)) && sent.get(id)! > 1);
    expect(touchedLeaving.length).toBeGreaterThan(0);
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    await waitFor(() => entityIds.every((id) => nodes.store.get(id) === sent.get(id)), 10_000, `all ${total} increments to be counted`).catch((e: unknown) => {
      const wrong = entityIds.filter((id) => nodes.store.get(id) !== sent.get(id)).map((id) => `${id}: ${nodes.store.get(id)}/${sent.get(id)}`);
      throw new Error(`${(e as Error).message}; wrong: ${wrong.slice(0, 20).join(", ")} (${wrong.length})`);
    });
    for (const id of entityIds.slice(0, 40)) expect((await get(staying[1], id)).count).toBe(sent.get(id));
    expect(ownership(staying).total).toBe(new Set(entityIds.map((id) => shardOf(id, 100))).size);
    expect(doubleStarts).toEqual([]);
    console.log(`graceful leave of ${leaderLeaves ? "the leader" : "a member"}: ${total} increments, the node left in ${leftMs} ms`);
  });

  it("reallocates the shards a leaving node could not hand off within handOffTimeout", async () => {
    nodes = new ShardedNodes({ handOffTimeout: 500 });
    const all = await nodes.cluster(3);
    const leader = all[0].system.cluster.leader;
    const leaving = all.find((n) => n.address !== leader)!;
    const staying = all.filter((n) => n !== leaving);
    const entityIds = ids(200);
    const before = await Promise.all(entityIds.map((id) => inc(staying[0], id, 5000)));
    const stuck = before.filter((r) => r.node === leaving.address).map((r) => r.id);
    expect(stuck.length).toBeGreaterThan(0);
    // its entities stay busy far longer than the handoff may take
    for (const id of stuck) staying[0].region.tell(new ShardEnvelope(id, { kind: "busy", ms: 5000 }));
    await sleep(100);
    const began = Date.now();
    await nodes.stop(leaving);
    const after = await Promise.all(stuck.map((id) => eventually(() => get(staying[1], id, 1000), 10_000, `entity ${id} of the node that left`)));
    const tookMs = Date.now() - began;
    for (const r of after) expect(r.node).not.toBe(leaving.address);
    expect(doubleStarts).toEqual([]);
    console.log(`handoff timeout: the entities of the node that left answered ${tookMs} ms after it began to leave`);
  });

  it("delivers to local entities without serializing; passivates in a cluster too", async () => {
    nodes = new ShardedNodes({ passivateAfter: 200 });
    const all = await nodes.cluster(3);
    const entityIds = ids(100);
    await Promise.all(entityIds.map((id) => inc(all[0], id, 5000)));
    const local = entityIds.filter((id) => stats(all[0]).shards.includes(shardOf(id, 100)));
    expect(local.length).toBeGreaterThan(0);
    class NotSerializable {
      readonly fn = () => 1;
    }
    const reply = await all[0].system.ask(
      all[0].region,
      (r) => new ShardEnvelope(local[0], { kind: "inc", replyTo: r, extra: new NotSerializable() } as never),
      { timeout: 2000 },
    );
    expect(reply).toMatchObject({ node: all[0].address, count: 2 });
    await waitFor(() => all.every((n) => stats(n).entities === 0), 5000, "idle entities to passivate");
    expect(await get(all[1], local[0])).toMatchObject({ node: all[0].address, count: 0 });
  });

  it("keeps routing when the leader leaves; entities elsewhere keep their state", async () => {
    nodes = new ShardedNodes();
    const all = await nodes.cluster(3);
    const leaderAddress = all[0].system.cluster.leader!;
    const leader = all.find((n) => n.address === leaderAddress)!;
    const others = all.filter((n) => n !== leader);
    const entityIds = ids(300);
    const before = new Map<string, CounterState>();
    for (const r of await Promise.all(entityIds.map((id) => inc(others[0], id, 5000)))) before.set(r.id, r);
    expect([...before.values()].some((r) => r.node === leaderAddress)).toBe(true);

    const began = Date.now();
    await nodes.stop(leader);
    await waitFor(() => others.every((n) => n.system.cluster.leader !== undefined && n.system.cluster.leader !== leaderAddress), 10_000, "a new leader");
    const after = await Promise.all(
      entityIds.map((id) =>
        eventually(() => get(others[(id.length + id.charCodeAt(id.length - 1)) % 2], id, 1000), 10_000, `entity ${id} after the leader left`),
      ),
    );
    const tookMs = Date.now() - began;
    for (const r of after) {
      const old = before.get(r.id)!;
      expect(r.node).not.toBe(leaderAddress);
      if (old.node !== leaderAddress) expect(r).toEqual(old); // same instance, same state
    }
    // the new coordinator allocates shards never used before
    const fresh = await Promise.all(ids(100, "fresh").map((id) => eventually(() => inc(others[0], id, 1000), 10_000, `new entity ${id}`)));
    expect(fresh.every((r) => r.count === 1 && r.node !== leaderAddress)).toBe(true);
    expect(ownership(others).total).toBeGreaterThan(0);
    expect(doubleStarts).toEqual([]);
    console.log(`leader loss: all entities answered ${tookMs} ms after the leader began to leave`);
  });

  it("finishes handoffs that were under way when the leader left", async () => {
    nodes = new ShardedNodes({ rebalanceInterval: 100, maxSimultaneousRebalance: 20 });
    const three = await nodes.cluster(3);
    const leaderAddress = three[0].system.cluster.leader!;
    const leader = three.find((n) => n.address === leaderAddress)!;
    const others = three.filter((n) => n !== leader);
    const entityIds = ids(600);
    const before = await Promise.all(entityIds.map((id) => inc(others[0], id, 5000)));
    // the entities off the leader are busy for a while, so their shards take that long to hand off
    for (const r of before) if (r.node !== leaderAddress) others[0].region.tell(new ShardEnvelope(r.id, { kind: "busy", ms: 1500 }));
    const fourth = await nodes.start([others[0].address]);
    const survivors = [...others, fourth];
    await waitFor(() => survivors.some((n) => n.system.cluster.leader === leaderAddress && stats(n).shards.length < 30), 10_000, "a rebalance to begin");
    await sleep(300);
    const began = Date.now();
    await nodes.stop(leader);
    // every entity answers again (those that moved start over)
    const after = await Promise.all(entityIds.map((id, i) => eventually(() => get(survivors[i % 3], id, 1000), 15_000, `entity ${id}`)));
    const tookMs = Date.now() - began;
    for (const r of after) expect(r.node).not.toBe(leaderAddress);
    await waitFor(() => ownership(survivors).total === new Set(entityIds.map((id) => shardOf(id, 100))).size, 5000, "the survivors to own every shard");
    expect(doubleStarts).toEqual([]);
    console.log(`handoffs across a leader change: all entities answered ${tookMs} ms after the leader began to leave`);
  });
});
