// Shard regions of three nodes in virtual time (see fixtures/sim-regions.ts): allocation, a rebalance
// to a joining node and the loss of a node run in milliseconds, the same way for the same seed.
import { afterEach, describe, expect, it } from "vitest";
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
