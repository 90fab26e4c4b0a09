import { describe, expect, it } from "vitest";
import { allocationAt, leastLoaded, ownerOf, rebalancePlan, shardCounts, type Allocations, type ShardAllocation } from "../../src/sharding/allocation.js";

const A = "127.0.0.1:9";
const B = "127.0.0.1:10"; // numerically after A although "10" < "9" as text
const C = "127.0.0.1:100";

function homes(spec: Record<string, number[]>): Map<number, ShardAllocation> {
  const map = new Map<number, ShardAllocation>();
  for (const [node, shards] of Object.entries(spec)) for (const s of shards) map.set(s, allocationAt({ address: node, uid: 1n }, BigInt(s + 1)));
  return map;
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** Loads after applying a plan. */
function after(h: Allocations, plan: { shard: number; from: string; to: string }[], regions: string[]): Map<string, number> {
  const next = new Map(h);
  for (const { shard, from, to } of plan) {
    expect(ownerOf(next.get(shard)!)).toBe(from);
    next.set(shard, allocationAt({ address: to, uid: 1n }, 0n));
  }
  return shardCounts(next, regions);
}

describe("shardCounts", () => {
  it("counts shards per region, zero for regions without shards, ignores other nodes", () => {
    expect(shardCounts(homes({ [A]: [1, 2], "10.0.0.1:1": [3] }), [A, B])).toEqual(
      new Map([
        [A, 2],
        [B, 0],
      ]),
    );
  });
});

describe("leastLoaded", () => {
  it("is undefined without regions", () => {
    expect(leastLoaded(homes({ [A]: [1] }), [])).toBeUndefined();
  });

  it("picks the region with the fewest shards", () => {
    expect(leastLoaded(homes({ [A]: [1, 2], [B]: [3], [C]: [4, 5] }), [A, B, C])).toBe(B);
    expect(leastLoaded(homes({ [A]: [1, 2], [B]: [3] }), [C, B, A])).toBe(C);
  });

  it("breaks ties by the lowest address (host, then numeric port), whatever the order given", () => {
    expect(leastLoaded(new Map(), [C, B, A])).toBe(A);
    expect(leastLoaded(homes({ [A]: [1] }), [C, B, A])).toBe(B);
    expect(leastLoaded(homes({ [A]: [1], [B]: [2] }), [B, C, A].reverse())).toBe(C);
    expect(leastLoaded(new Map(), ["127.0.0.2:1", "127.0.0.1:5000"])).toBe("127.0.0.1:5000");
  });
});

describe("rebalancePlan", () => {
  it("moves nothing with fewer than two regions or loads within one", () => {
    expect(rebalancePlan(homes({ [A]: range(0, 10) }), [A], new Map(), 5)).toEqual([]);
    expect(rebalancePlan(homes({ [A]: range(0, 4), [B]: range(4, 3), [C]: range(7, 4) }), [A, B, C], new Map(), 5)).toEqual([]);
  });

  it("evens out loads from the most to the least loaded region", () => {
    const h = homes({ [A]: range(0, 10), [B]: range(10, 10) });
    const plan = rebalancePlan(h, [A, B, C], new Map(), 100);
    for (const step of plan) expect(step.to).toBe(C);
    const loads = [...after(h, plan, [A, B, C]).values()];
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    expect(plan.length).toBe(6); // 10/10/0 → 7/7/6
  });

  it("a new region takes its share of 100 shards from three", () => {
    const D = "127.0.0.1:1000";
    const h = homes({ [A]: range(0, 34), [B]: range(34, 33), [C]: range(67, 33) });
    const plan = rebalancePlan(h, [A, B, C, D], new Map(), 1000);
    expect(plan.every((p) => p.to === D)).toBe(true);
    expect(after(h, plan, [A, B, C, D])).toEqual(
      new Map([
        [A, 25],
        [B, 25],
        [C, 25],
        [D, 25],
      ]),
    );
  });

  it("respects the limit", () => {
    const h = homes({ [A]: range(0, 20) });
    expect(rebalancePlan(h, [A, B], new Map(), 3)).toHaveLength(3);
    expect(rebalancePlan(h, [A, B], new Map(), 0)).toHaveLength(0);
  });

  it("never moves a shard that is already moving", () => {
    const h = homes({ [A]: range(0, 6) });
    const moving = new Map([5, 4, 3].map((s) => [s, B]));
    const plan = rebalancePlan(h, [A, B], moving, 10);
    for (const { shard } of plan) expect(moving.has(shard)).toBe(false);
  });

  it("counts shards already moving so it does not move more than needed", () => {
    // A had 10, B 0: five are on their way to B (the coordinator's first round); three of them arrived.
    const h = homes({ [A]: range(0, 7), [B]: [7, 8, 9] });
    const moving = new Map([
      [5, B],
      [6, B],
    ]); // still homed on A, moving to B
    const plan = rebalancePlan(h, [A, B], moving, 5);
    // 5/5 once the two in flight arrive: nothing more to move
    expect(plan).toEqual([]);
    // without the two in flight it would move two
    expect(rebalancePlan(h, [A, B], new Map(), 5)).toHaveLength(2);
  });

  it("a shard moving to an unknown target counts nowhere", () => {
    const h = homes({ [A]: range(0, 6), [B]: range(6, 2) });
    // A: 5 staying + 1 in flight (target unknown), B: 2 → one more moves to B
    expect(rebalancePlan(h, [A, B], new Map([[0, undefined]]), 5)).toEqual([{ shard: 5, from: A, to: B }]);
  });

  it("ignores homes on nodes that are not regions", () => {
    const h = homes({ "10.0.0.9:1": range(0, 10), [A]: [10], [B]: [] });
    expect(rebalancePlan(h, [A, B], new Map(), 10)).toEqual([]);
  });
});
