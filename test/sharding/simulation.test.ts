// Shard regions of three nodes in virtual time (see fixtures/sim-regions.ts): allocation, a rebalance
// to a joining node and the loss of a node run in milliseconds, the same way for the same seed.
import { afterEach, describe, expect, it } from "vitest";
import { AskDeliveryError, DeadLetter, ShardEnvelope, type ActorRef } from "../../src/index.js";
import { RoutedEnvelope } from "../../src/sharding/envelope.js";
import { TYPE, type Coordination } from "../../src/sharding/protocol.js";
import { MAX_HOPS } from "../../src/sharding/region.js";
import { shardOf } from "../../src/sharding/shard-id.js";
import { ids } from "./fixtures/nodes.js";
import { SimRegions, type SimNode } from "./fixtures/sim-regions.js";

let sim: SimRegions | undefined;
afterEach(async () => {
  await sim?.shutdown();
  sim = undefined;
});

/** Each shard's owner as every live region sees it; fails when two regions disagree or a shard has two owners. */
function owners(s: SimRegions): Map<number, string> {
  const owned = new Map<number, string>();
  for (const node of s.live()) {
    for (const shard of s.stats(node).shards) {
      expect(owned.get(shard), `shard ${shard} owned twice`).toBeUndefined();
      owned.set(shard, node.address);
    }
  }
  return owned;
}

function counts(s: SimRegions): number[] {
  return s.live().map((n) => s.stats(n).shards.length);
}

async function run(seed: number): Promise<{ sim: SimRegions; a: SimNode; b: SimNode; c: SimNode }> {
  const s = new SimRegions(seed);
  const a = s.add(2551);
  const b = s.add(2552);
  await s.scheduler.advance(1500); // regions register, the rebuild window passes
  const entities = ids(60);
  const first = await s.all(entities.map((id) => s.inc(a, id)));
  expect(first.every((r) => r?.count === 1)).toBe(true);
  expect(owners(s).size).toBe(12);
  expect(counts(s)).toEqual([6, 6]);

  // a third node joins: the coordinator moves shards to it until loads are even
  const c = s.add(2553);
  await s.scheduler.until(() => counts(s).join() === "4,4,4", 10_000);
  const second = await s.all(entities.map((id) => s.inc(b, id)));
  expect(second.every((r) => r !== undefined)).toBe(true);
  expect(second.some((r) => r!.node === c.address)).toBe(true);
  return { sim: s, a, b, c };
}

describe("shard regions in virtual time", () => {
  it("allocate, rebalance to a joining node and reallocate the shards of a lost node after its removal", async () => {
    const { sim: s, a, b, c } = await run(11);
    sim = s;
    const lost = new Set(s.stats(c).shards);
    s.crash(c.address);
    await s.scheduler.advance(2000);
    s.down(c.address, 3000);
    await s.scheduler.until(() => s.live().every((n) => s.stats(n).allocation.get(c.address) === undefined), 20_000);
    const third = await s.all(ids(60).map((id) => s.inc(a, id)));
    expect(third.every((r) => r !== undefined && r.node !== c.address)).toBe(true);
    expect(counts(s).reduce((x, y) => x + y)).toBe(12);
    for (const shard of lost) expect([a.address, b.address]).toContain(owners(s).get(shard));
  });

  it("reallocates a downed node's shards only after the node is removed (the downed side stops its entities first)", async () => {
    const { sim: s, a, b, c } = await run(13);
    sim = s;
    const lost = new Set(s.stats(c).shards);
    const lostIds = ids(60).filter((id) => lost.has(shardOf(id, 12)));
    s.crash(c.address);
    s.down(c.address, 3000);
    await s.scheduler.advance(100); // every region heard of the downing
    const during = await s.all(lostIds.map((id) => s.inc(a, id, 500)));
    expect(during.every((r) => r === undefined)).toBe(true); // still homed on the downed node
    const removed = s.history.findIndex((line) => line.endsWith(`removed ${c.address}`));
    expect(removed).toBe(-1);
    await s.scheduler.until(() => s.history.some((line) => line.endsWith(`removed ${c.address}`)), 5000);
    await s.scheduler.advance(100);
    const after = await s.all(lostIds.map((id) => s.inc(b, id)));
    expect(after.every((r) => r !== undefined && r.node !== c.address)).toBe(true);
    const removedAt = s.history.findIndex((line) => line.endsWith(`removed ${c.address}`));
    const crashedAt = s.history.findIndex((line) => line.endsWith(`crash ${c.address}`));
    const reallocated = s.history.findIndex((line, i) => i > crashedAt && [...lost].some((shard) => line.includes(` home ${shard}@`)));
    expect(reallocated).toBeGreaterThan(removedAt);
  });

  it("a node that restarts at the same address is a new incarnation: the old one's shards start afresh", async () => {
    const { sim: s, a, c } = await run(17);
    sim = s;
    const lost = new Set(s.stats(c).shards);
    const lostIds = ids(60).filter((id) => lost.has(shardOf(id, 12)));
    s.crash(c.address);
    await s.scheduler.advance(500);
    const again = await s.restart(c.address);
    await s.scheduler.advance(500); // it registers with its new uid
    const replies = await s.all(ids(60).map((id) => s.inc(a, id)));
    expect(replies.every((r) => r !== undefined)).toBe(true);
    for (const r of replies) {
      if (lostIds.includes(r!.id))
        expect(r!.count).toBe(1); // the old incarnation's entities are gone
      else expect(r!.count === 3 || r!.node === again.address).toBe(true); // kept, or moved to the new one since
    }
    expect(owners(s).size).toBe(12);
    expect(s.stats(again).allocation.size).toBeGreaterThan(0);
  });

  it("is deterministic: the same seed gives the same history", async () => {
    const history = async (seed: number) => {
      const { sim: s, c } = await run(seed);
      s.crash(c.address);
      s.down(c.address, 1000);
      await s.scheduler.advance(5000);
      await s.shutdown();
      return s.history;
    };
    const first = await history(5);
    expect(first.some((line) => line.includes(" home "))).toBe(true);
    expect(await history(5)).toEqual(first);
  });
});

describe("stale routing tables in virtual time", () => {
  /** Three regions with every shard allocated; `s` is a shard owned by the second node. */
  async function three(seed: number) {
    const s = new SimRegions(seed);
    const nodes = [s.add(2551), s.add(2552), s.add(2553)];
    await s.scheduler.advance(1500);
    await s.all(ids(60).map((id) => s.inc(nodes[0], id)));
    const [a, b, c] = nodes as [SimNode, SimNode, SimNode];
    const shard = s.stats(b).shards[0];
    const id = ids(60).find((i) => shardOf(i, 12) === shard)!;
    return { s, a, b, c, shard, id };
  }

  /** Tells `node`'s region that `shard` lives on `home`, with an epoch above every real one. */
  function believe(node: SimNode, shard: number, home: SimNode): void {
    const homes = [{ shardId: shard, node: home.address, nodeUid: 0n, epoch: 1_000_000n, replicas: [] }];
    (node.region as unknown as ActorRef<Coordination>).tell({ $type: TYPE.homes, homes });
  }

  /** Three regions where the first and the third each believe the other owns shard `s` (and `id`). */
  async function pointingAtEachOther(seed: number) {
    const setup = await three(seed);
    sim = setup.s;
    believe(setup.a, setup.shard, setup.c);
    believe(setup.c, setup.shard, setup.a);
    await setup.s.scheduler.advance(10);
    return setup;
  }

  /** Counts the envelopes for `id` that cross the network. */
  function hops(s: SimRegions, id: string): { count: number } {
    const seen = { count: 0 };
    s.intercept = (_from, _to, message) => {
      if (message instanceof RoutedEnvelope && message.entityId === id) seen.count++;
      return message;
    };
    return seen;
  }

  it("an envelope sent with a stale table reaches the owner through the region that knows better", async () => {
    const { s, a, b, c, shard, id } = await three(21);
    sim = s;
    believe(a, shard, c); // a is wrong, c still knows b owns the shard
    await s.scheduler.advance(10);
    const seen = hops(s, id);
    const [reply] = await s.all([s.inc(a, id)]);
    expect(reply?.node).toBe(b.address);
    expect(seen.count).toBe(2); // a → c → b
  });

  it("an envelope between two regions that point at each other is a dead letter after the hop limit, not a loop", async () => {
    const { s, a, c, id } = await pointingAtEachOther(22);
    const dead: DeadLetter[] = [];
    for (const node of [a, c]) node.system.eventStream.subscribe(DeadLetter, (d) => dead.push(d));
    const seen = hops(s, id);
    a.region.tell(new ShardEnvelope(id, { kind: "inc" }));
    await s.scheduler.until(() => dead.length > 0, 5000);
    expect(dead[0].reason).toMatch(/after 5 forwards/);
    expect((dead[0].message as ShardEnvelope<unknown>).entityId).toBe(id);
    await s.scheduler.advance(2000);
    expect(seen.count).toBe(MAX_HOPS); // and nothing more travels
  });

  it("an ask whose envelope is dead-lettered after the hop limit rejects at once, naming why", async () => {
    const { s, a, id } = await pointingAtEachOther(23);
    const asked = s.scheduler.now();
    const [outcome] = await s.all([
      a.system
        .ask(a.region, (replyTo) => new ShardEnvelope(id, { kind: "get", replyTo }), { timeout: 10_000 })
        .then(
          () => undefined,
          (error: unknown) => error,
        ),
    ]);
    expect(outcome).toBeInstanceOf(AskDeliveryError);
    expect((outcome as Error).message).toMatch(/after 5 forwards/);
    expect(s.scheduler.now() - asked).toBeLessThan(10_000); // not at its timeout
  });
});
