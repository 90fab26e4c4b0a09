import type { ActorRef } from "../actor/ref.js";
import type { ClusterEvent } from "../cluster/events.js";
import type { UniqueAddress } from "../cluster/member.js";

/**
 * What a region needs from the cluster: a real one (cluster-host.ts) or a simulated one driven in
 * virtual time. Without a host (a plain ActorSystem) every shard is local.
 */
export interface RegionHost {
  /** This node's incarnation. */
  readonly selfNode: UniqueAddress;
  /** The region of the same entity type on `node` (this region for the own address). */
  regionOn(node: string): ActorRef<unknown>;
  /** Addresses of the Up members. */
  upMembers(): ReadonlySet<string>;
  /** Addresses of the members some member finds unreachable. */
  unreachableMembers(): ReadonlySet<string>;
  /** Whether this node has `role`. */
  hasRole(role: string): boolean;
  /** Cluster events, the current state replayed first; returns the unsubscribe function. */
  subscribe(listener: (event: ClusterEvent) => void): () => void;
  /** Runs `handOff` (bounded by the caller) before this node leaves; returns the remove function. */
  beforeLeave(handOff: () => Promise<void>): () => void;
}
