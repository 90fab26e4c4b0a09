// Shard allocation as values: where each shard lives, with an epoch per allocation. The coordinator
// changes it only through its events (coordinator-state.ts); these functions read it.

import { compareAddresses, type UniqueAddress } from "../cluster/member.js";

/** One incarnation of a node holding a shard, and the epoch of that allocation. */
export interface ShardHome {
  readonly node: UniqueAddress;
  /** Grows with every (re)allocation of the shard, so stale news can be told apart. */
  readonly epoch: bigint;
}

/** Where a shard lives. Replication adds `replicas: readonly ShardHome[]` beside the primary. */
export interface ShardAllocation {
  readonly primary: ShardHome;
}

export type Allocations = ReadonlyMap<number, ShardAllocation>;

export function allocationAt(node: UniqueAddress, epoch: bigint): ShardAllocation {
  return { primary: { node, epoch } };
}

/** The address of the node that owns the shard. */
export function ownerOf(allocation: ShardAllocation): string {
  return allocation.primary.node.address;
}

export function shardCounts(allocations: Allocations, regions: readonly string[]): Map<string, number> {
  const counts = new Map(regions.map((r) => [r, 0]));
  for (const allocation of allocations.values()) {
    const node = ownerOf(allocation);
    const count = counts.get(node);
    if (count !== undefined) counts.set(node, count + 1);
  }
  return counts;
}

/** The region with the fewest shards (lowest address on ties), or undefined when there is none. */
export function leastLoaded(allocations: Allocations, regions: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestCount = Infinity;
  for (const [region, count] of shardCounts(allocations, [...regions].sort(compareAddresses))) {
    if (count < bestCount) [best, bestCount] = [region, count];
  }
  return best;
}

/**
 * Shards to move so loads even out: from the most to the least loaded region while they differ by more
 * than one, at most `limit` shards, never a shard already moving. `moving` maps each shard in flight to
 * its target (undefined while unknown): it counts there, not at its current home, so a rebalance that
 * is under way is not repeated.
 */
export function rebalancePlan(
  allocations: Allocations,
  regions: readonly string[],
  moving: ReadonlyMap<number, string | undefined>,
  limit: number,
): { shard: number; from: string; to: string }[] {
  const plan: { shard: number; from: string; to: string }[] = [];
  if (regions.length < 2) return plan;
  const counts = shardCounts(new Map([...allocations].filter(([shard]) => !moving.has(shard))), regions);
  for (const target of moving.values()) if (target !== undefined && counts.has(target)) counts.set(target, counts.get(target)! + 1);
  const byRegion = new Map<string, number[]>(regions.map((r) => [r, []]));
  for (const [shard, allocation] of [...allocations].sort((a, b) => a[0] - b[0])) if (!moving.has(shard)) byRegion.get(ownerOf(allocation))?.push(shard);
  while (plan.length < limit) {
    const sorted = [...counts].sort((a, b) => a[1] - b[1] || compareAddresses(a[0], b[0]));
    const [to, low] = sorted[0];
    const [from, high] = sorted[sorted.length - 1];
    const shard = byRegion.get(from)!.pop();
    if (high - low <= 1 || shard === undefined) break;
    plan.push({ shard, from, to });
    counts.set(from, high - 1);
    counts.set(to, low + 1);
  }
  return plan;
}
