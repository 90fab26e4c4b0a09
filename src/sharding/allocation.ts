// Shard allocation as values: where each shard lives, with an epoch per allocation. The coordinator
// changes it only through its events (coordinator-state.ts); these functions read it.

import { compareAddresses, type UniqueAddress } from "../cluster/member.js";

/** One incarnation of a node holding a shard, and the epoch of that allocation. */
export interface ShardHome {
  readonly node: UniqueAddress;
  /** Grows with every (re)allocation of the shard, so stale news can be told apart. */
  readonly epoch: bigint;
}

/** Where a shard lives: its primary runs the entities, its replicas (other nodes) hold copies of their events. */
export interface ShardAllocation {
  readonly primary: ShardHome;
  readonly replicas: readonly UniqueAddress[];
}

export type Allocations = ReadonlyMap<number, ShardAllocation>;

const noReplicas: readonly UniqueAddress[] = Object.freeze([]);

export function allocationAt(node: UniqueAddress, epoch: bigint, replicas: readonly UniqueAddress[] = noReplicas): ShardAllocation {
  return { primary: { node, epoch }, replicas };
}

/** The same node incarnation. */
export function sameNode(a: UniqueAddress, b: UniqueAddress): boolean {
  return a.address === b.address && a.uid === b.uid;
}

/** Whether `node` (by address) is the shard's primary or one of its replicas. */
export function holds(allocation: ShardAllocation, node: string): boolean {
  return allocation.primary.node.address === node || allocation.replicas.some((r) => r.address === node);
}

/**
 * After `node` is lost: without it among the replicas; when it was the primary, the replica with the
 * highest progress (lowest address on ties) is promoted at `epoch`, or undefined without replicas.
 */
export function withoutHolder(
  allocation: ShardAllocation,
  node: string,
  progress: ReadonlyMap<string, bigint> | undefined,
  epoch: bigint,
): ShardAllocation | undefined {
  const replicas = allocation.replicas.filter((r) => r.address !== node);
  if (allocation.primary.node.address !== node) return replicas.length === allocation.replicas.length ? allocation : { ...allocation, replicas };
  if (replicas.length === 0) return undefined;
  const rank = (r: UniqueAddress) => progress?.get(r.address) ?? 0n;
  const best = replicas.reduce((a, b) => (rank(b) > rank(a) || (rank(b) === rank(a) && compareAddresses(b.address, a.address) < 0) ? b : a));
  return allocationAt(
    best,
    epoch,
    replicas.filter((r) => r !== best),
  );
}

/**
 * Nodes to add as replicas of the shard so it has `wanted` (fewest replicas held first, lowest address
 * on ties), among `candidates` that do not hold it yet; fewer when there are not enough.
 */
export function replicasToAdd(allocations: Allocations, allocation: ShardAllocation, candidates: readonly UniqueAddress[], wanted: number): UniqueAddress[] {
  const missing = wanted - allocation.replicas.length;
  if (missing <= 0) return [];
  const load = new Map<string, number>(candidates.map((c) => [c.address, 0]));
  for (const a of allocations.values()) for (const r of a.replicas) if (load.has(r.address)) load.set(r.address, load.get(r.address)! + 1);
  return candidates
    .filter((c) => !holds(allocation, c.address))
    .sort((a, b) => load.get(a.address)! - load.get(b.address)! || compareAddresses(a.address, b.address))
    .slice(0, missing);
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
