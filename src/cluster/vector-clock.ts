// Vector clocks version the gossiped cluster state: they tell whether one state has seen every change
// of another (then it simply replaces it) or whether two states diverged and must be merged.

/** Unique key of a node incarnation ("host:port#uid") → counter. A missing entry counts as 0. Operations return new maps. */
export type VectorClock = ReadonlyMap<string, bigint>;

/** How `a` relates to `b`: "before" means every counter of `a` ≤ `b`'s and one is smaller. */
export type ClockOrder = "same" | "before" | "after" | "concurrent";

export const emptyClock: VectorClock = new Map();

export function increment(clock: VectorClock, node: string): VectorClock {
  return new Map(clock).set(node, (clock.get(node) ?? 0n) + 1n);
}

/** Least upper bound: the entry-wise maximum. */
export function mergeClocks(a: VectorClock, b: VectorClock): VectorClock {
  const merged = new Map(a);
  for (const [node, counter] of b) {
    if (counter > (merged.get(node) ?? 0n)) merged.set(node, counter);
  }
  return merged;
}

export function compareClocks(a: VectorClock, b: VectorClock): ClockOrder {
  let aAhead = false;
  let bAhead = false;
  for (const node of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(node) ?? 0n;
    const y = b.get(node) ?? 0n;
    if (x > y) aAhead = true;
    else if (x < y) bAhead = true;
  }
  if (aAhead) return bAhead ? "concurrent" : "after";
  return bAhead ? "before" : "same";
}

/** Drops the entries of removed nodes so the clock does not grow with every incarnation ever seen. */
export function pruneClock(clock: VectorClock, nodes: ReadonlySet<string>): VectorClock {
  return new Map([...clock].filter(([node]) => !nodes.has(node)));
}
