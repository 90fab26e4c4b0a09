// The coordinator's state as an immutable value, changed only by `apply(state, event)`: what it
// decides is an event, so the state can later be persisted (event sourcing) or replicated.

import type { UniqueAddress } from "../cluster/member.js";
import { withoutHolder, type Allocations, type ShardAllocation } from "./allocation.js";

export interface RegionEntry {
  readonly node: UniqueAddress;
  /** False for a proxy region (no role): it routes but hosts no shards. */
  readonly hosting: boolean;
}

export interface CoordinatorState {
  /** Registered regions by node address. */
  readonly regions: ReadonlyMap<string, RegionEntry>;
  readonly allocations: Allocations;
  /** Shards being handed off, to their target region (undefined while unknown). */
  readonly moving: ReadonlyMap<number, string | undefined>;
  /** Regions whose node leaves: they get no new shards. */
  readonly leaving: ReadonlySet<string>;
  /** The highest epoch given or seen; each allocation takes the next one. */
  readonly epoch: bigint;
  /** With replication: how far each replica of a shard got, by shard then node (see ReplicaProgress). */
  readonly progress: ReadonlyMap<number, ReadonlyMap<string, bigint>>;
}

export type CoordinatorEvent =
  | { readonly type: "regionRegistered"; readonly region: RegionEntry }
  | { readonly type: "epochSeen"; readonly epoch: bigint }
  | { readonly type: "shardAllocated"; readonly shard: number; readonly allocation: ShardAllocation }
  | { readonly type: "shardDeallocated"; readonly shard: number }
  | { readonly type: "handOffStarted"; readonly shard: number; readonly target: string | undefined }
  | { readonly type: "regionLeaving"; readonly node: string }
  | { readonly type: "regionGone"; readonly node: string }
  | { readonly type: "replicaProgressed"; readonly shard: number; readonly node: string; readonly progress: bigint };

export const emptyCoordinatorState: CoordinatorState = {
  regions: new Map(),
  allocations: new Map(),
  moving: new Map(),
  leaving: new Set(),
  epoch: 0n,
  progress: new Map(),
};

export function apply(state: CoordinatorState, event: CoordinatorEvent): CoordinatorState {
  switch (event.type) {
    case "regionRegistered": {
      const { node } = event.region;
      const before = state.regions.get(node.address);
      const regions = new Map(state.regions).set(node.address, event.region);
      // a new incarnation at the same address: the old one's entities are gone with it
      const next = before !== undefined && before.node.uid !== node.uid ? withoutNode(state, node.address) : state;
      return { ...next, regions };
    }
    case "epochSeen":
      return event.epoch > state.epoch ? { ...state, epoch: event.epoch } : state;
    case "shardAllocated": {
      const moving = new Map(state.moving);
      moving.delete(event.shard);
      const epoch = event.allocation.primary.epoch > state.epoch ? event.allocation.primary.epoch : state.epoch;
      return { ...state, allocations: new Map(state.allocations).set(event.shard, event.allocation), moving, epoch };
    }
    case "shardDeallocated": {
      const allocations = new Map(state.allocations);
      const moving = new Map(state.moving);
      allocations.delete(event.shard);
      moving.delete(event.shard);
      return { ...state, allocations, moving };
    }
    case "handOffStarted":
      return { ...state, moving: new Map(state.moving).set(event.shard, event.target) };
    case "regionLeaving":
      return { ...state, leaving: new Set(state.leaving).add(event.node) };
    case "regionGone": {
      const next = withoutNode(state, event.node);
      const regions = new Map(next.regions);
      const leaving = new Set(next.leaving);
      regions.delete(event.node);
      leaving.delete(event.node);
      return { ...next, regions, leaving };
    }
    case "replicaProgressed": {
      const known = state.progress.get(event.shard);
      if ((known?.get(event.node) ?? -1n) >= event.progress) return state;
      const shard = new Map(known).set(event.node, event.progress);
      return { ...state, progress: new Map(state.progress).set(event.shard, shard) };
    }
  }
}

/**
 * The shards of `node` lose it: where it was the primary, the most advanced replica is promoted (with
 * the next epoch), or the shard becomes unallocated; where it held a replica, that replica is gone.
 * Shards moving there have no target any more.
 */
function withoutNode(state: CoordinatorState, node: string): CoordinatorState {
  const allocations = new Map(state.allocations);
  const moving = new Map(state.moving);
  const progress = new Map(state.progress);
  let epoch = state.epoch;
  for (const [shard, allocation] of state.allocations) {
    const promoting = allocation.primary.node.address === node;
    const next = withoutHolder(allocation, node, state.progress.get(shard), promoting ? epoch + 1n : epoch);
    if (next === allocation) continue;
    if (promoting) moving.delete(shard); // its ShardStopped never comes: the shard is free now
    if (next === undefined) allocations.delete(shard);
    else {
      allocations.set(shard, next);
      if (promoting) epoch = next.primary.epoch;
    }
    const shardProgress = progress.get(shard);
    if (shardProgress?.has(node) === true) {
      const rest = new Map(shardProgress);
      rest.delete(node);
      progress.set(shard, rest);
    }
  }
  for (const [shard, target] of moving) if (target === node) moving.set(shard, undefined);
  return { ...state, allocations, moving, progress, epoch };
}
