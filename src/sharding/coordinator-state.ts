// The coordinator's state as an immutable value, changed only by `apply(state, event)`: what it
// decides is an event, so the state can later be persisted (event sourcing) or replicated.

import type { UniqueAddress } from "../cluster/member.js";
import { ownerOf, type Allocations, type ShardAllocation } from "./allocation.js";

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
}

export type CoordinatorEvent =
  | { readonly type: "regionRegistered"; readonly region: RegionEntry }
  | { readonly type: "epochSeen"; readonly epoch: bigint }
  | { readonly type: "shardAllocated"; readonly shard: number; readonly allocation: ShardAllocation }
  | { readonly type: "shardDeallocated"; readonly shard: number }
  | { readonly type: "handOffStarted"; readonly shard: number; readonly target: string | undefined }
  | { readonly type: "regionLeaving"; readonly node: string }
  | { readonly type: "regionGone"; readonly node: string };

export const emptyCoordinatorState: CoordinatorState = { regions: new Map(), allocations: new Map(), moving: new Map(), leaving: new Set(), epoch: 0n };

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
  }
}

/** The shards of `node` become unallocated; shards moving there have no target any more. */
function withoutNode(state: CoordinatorState, node: string): CoordinatorState {
  const allocations = new Map(state.allocations);
  const moving = new Map(state.moving);
  for (const [shard, allocation] of state.allocations) {
    if (ownerOf(allocation) !== node) continue;
    allocations.delete(shard);
    moving.delete(shard); // its ShardStopped never comes: the shard is free now
  }
  for (const [shard, target] of moving) if (target === node) moving.set(shard, undefined);
  return { ...state, allocations, moving };
}
