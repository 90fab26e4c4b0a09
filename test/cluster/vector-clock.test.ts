import { describe, expect, it } from "vitest";
import { type VectorClock, compareClocks, emptyClock, increment, mergeClocks, pruneClock } from "../../src/cluster/vector-clock.js";

const clock = (entries: Record<string, number>): VectorClock => new Map(Object.entries(entries).map(([k, v]) => [k, BigInt(v)]));

describe("vector clock", () => {
  it("increment creates or bumps one entry and leaves the input untouched", () => {
    const a = increment(emptyClock, "a");
    const b = increment(a, "a");
    expect([...a]).toEqual([["a", 1n]]);
    expect([...b]).toEqual([["a", 2n]]);
    expect(emptyClock.size).toBe(0);
  });

  it("compares same, before, after and concurrent", () => {
    expect(compareClocks(clock({ a: 1 }), clock({ a: 1 }))).toBe("same");
    expect(compareClocks(clock({ a: 1 }), clock({ a: 2 }))).toBe("before");
    expect(compareClocks(clock({ a: 2, b: 1 }), clock({ a: 2 }))).toBe("after");
    expect(compareClocks(clock({ a: 2 }), clock({ b: 1 }))).toBe("concurrent");
    expect(compareClocks(clock({ a: 0 }), emptyClock)).toBe("same");
    expect(compareClocks(emptyClock, clock({ x: 1 }))).toBe("before");
  });

  it("is antisymmetric: swapping the arguments swaps before and after", () => {
    const pairs: [VectorClock, VectorClock][] = [
      [clock({ a: 1 }), clock({ a: 3, b: 1 })],
      [clock({ a: 1, b: 2 }), clock({ a: 2, b: 1 })],
      [clock({ c: 4 }), clock({ c: 4 })],
    ];
    const flip = { before: "after", after: "before", same: "same", concurrent: "concurrent" } as const;
    for (const [x, y] of pairs) expect(compareClocks(y, x)).toBe(flip[compareClocks(x, y)]);
  });

  it("merge is the entry-wise max: commutative, associative, idempotent, and after-or-same both inputs", () => {
    const x = clock({ a: 3, b: 1 });
    const y = clock({ b: 4, c: 2 });
    const z = clock({ a: 1, c: 5, d: 1 });
    expect(mergeClocks(x, y)).toEqual(clock({ a: 3, b: 4, c: 2 }));
    expect(compareClocks(mergeClocks(x, y), mergeClocks(y, x))).toBe("same");
    expect(compareClocks(mergeClocks(mergeClocks(x, y), z), mergeClocks(x, mergeClocks(y, z)))).toBe("same");
    expect(compareClocks(mergeClocks(x, x), x)).toBe("same");
    for (const input of [x, y]) expect(["after", "same"]).toContain(compareClocks(mergeClocks(x, y), input));
  });

  it("a change after a merge is after both merged clocks", () => {
    const merged = increment(mergeClocks(clock({ a: 1 }), clock({ b: 1 })), "a");
    expect(compareClocks(merged, clock({ a: 1 }))).toBe("after");
    expect(compareClocks(merged, clock({ b: 1 }))).toBe("after");
  });

  it("prune drops the given nodes only", () => {
    expect(pruneClock(clock({ a: 1, b: 2, c: 3 }), new Set(["b", "x"]))).toEqual(clock({ a: 1, c: 3 }));
  });
});
