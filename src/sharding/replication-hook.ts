// What sharding offers replication (src/replication/ attaches as the extension below): a region with
// the `replication` option hands it its allocation table and asks it for progress and statistics.

import type { Behavior } from "../actor/behavior.js";
import { InvalidOptionError } from "../actor/errors.js";
import type { ExtensionId } from "../actor/extension.js";
import type { Logger } from "../actor/logger.js";
import type { ActorRef } from "../actor/ref.js";
import type { UniqueAddress } from "../cluster/member.js";
import type { ShardAllocation } from "./allocation.js";
import type { ResolvedReplicationOptions } from "./options.js";

/** A region as its replication sees it. */
export interface ReplicatedRegion {
  /** The region's actor: the parent of its entities. */
  readonly ref: ActorRef<never>;
  /** Its path, the same on every node (names the region in replication frames). */
  readonly path: string;
  readonly selfNode: UniqueAddress;
  readonly numShards: number;
  readonly options: ResolvedReplicationOptions;
  readonly factory: (entityId: string) => Behavior<unknown>;
  readonly log: Logger;
  /** The shard's allocation as this region knows it. */
  allocation(shard: number): ShardAllocation | undefined;
}

/** How one shard's replication stands, as this node sees it. */
export interface ShardReplicationStats {
  readonly primary: string;
  readonly replicas: readonly string[];
  /** On the primary: events persisted here that the slowest replica has not acknowledged yet. */
  readonly lag: number;
}

/** What a region's replication offers the region. */
export interface RegionReplication {
  /** The region learnt a new allocation of `shard` (undefined: none while it hands off or its node was lost). */
  allocationChanged(shard: number, allocation: ShardAllocation | undefined): void;
  /** Progress of the replicas this node holds: that changed since the last call, or `all` (for the coordinator). */
  progress(all: boolean): { shardId: number; progress: bigint }[];
  stats(): ReadonlyMap<number, ShardReplicationStats>;
  /** The region stopped. */
  detach(): void;
}

export interface ShardReplicationProvider {
  attach(region: ReplicatedRegion): RegionReplication;
}

/** Registered by the replication layer on every cluster node (`ClusteredActorSystem`). */
export const ShardReplicationId: ExtensionId<ShardReplicationProvider> = {
  key: "casty.ShardReplication",
  create(system) {
    throw new InvalidOptionError(`sharding replication needs a cluster node with replication (ClusteredActorSystem); ${system.name} has none`);
  },
};
