import type { ExtensionIdFor } from "../../actor/api.js";
import type { ActorRef } from "../../actor/ref.js";
import type { ActorSystem } from "../../actor/system.js";
import { ClusterExtensionId, type Cluster } from "../../cluster/cluster.js";
import type { MemberStatus } from "../../cluster/member.js";
import { RemotingId, type Remoting } from "../../remote/remoting.js";
import { nodeSnapshot, type NodeSnapshot } from "./node-snapshot.js";
import { SNAPSHOT_ACTOR, snapshotActor, type SnapshotRequest } from "./snapshot-actor.js";

/** How long the page waits for another node's snapshot before it shows the last one it had. */
const SNAPSHOT_TIMEOUT_MS = 800;

export interface MemberView {
  readonly address: string;
  readonly status: MemberStatus;
  readonly roles: readonly string[];
  readonly reachable: boolean;
  readonly leader: boolean;
  readonly upNumber: number;
  /** The node's own report; `stale` when it did not answer this time (the last one it sent). */
  readonly snapshot: NodeSnapshot | undefined;
  readonly stale: boolean;
}

/** What the cluster page shows: the membership as the serving node sees it, with every node's snapshot. */
export interface ClusterView {
  /** The node that serves the page. */
  readonly self: string;
  readonly leader: string | undefined;
  /** When it was gathered (ms since the epoch). */
  readonly at: number;
  readonly members: readonly MemberView[];
}

/**
 * Gathers the cluster page's view on one node: its own snapshot, and those of the other members asked
 * through their snapshot actors. Every node starts it (`system.extension(ClusterViewsId)`), so that
 * the page of any node shows every node.
 */
export class ClusterViews {
  private readonly startedAt: number;
  private readonly lastKnown = new Map<string, NodeSnapshot>();
  private readonly remoting: Remoting;
  private readonly cluster: Cluster;

  constructor(private readonly system: ActorSystem) {
    this.remoting = system.extension(RemotingId);
    this.cluster = system.extension(ClusterExtensionId);
    this.startedAt = system.scheduler.now();
    system.spawnSystemActor(
      snapshotActor(() => this.own()),
      SNAPSHOT_ACTOR,
    );
  }

  own(): NodeSnapshot {
    return nodeSnapshot(this.system, this.remoting.selfAddress, this.startedAt);
  }

  /** The view now; never rejects (a node that does not answer shows its last snapshot, marked stale). */
  async gather(): Promise<ClusterView> {
    const { members, unreachable } = this.cluster.state;
    const leader = this.cluster.leader;
    const self = this.remoting.selfAddress;
    const shown = members.filter((m) => m.status !== "removed");
    for (const address of this.lastKnown.keys()) if (!shown.some((m) => m.address === address)) this.lastKnown.delete(address);
    const views = await Promise.all(
      shown.map(async (member): Promise<MemberView> => {
        const fresh = member.address === self ? this.own() : await this.ask(member.address);
        if (fresh !== undefined) this.lastKnown.set(member.address, fresh);
        return {
          ...member,
          reachable: !unreachable.includes(member.address),
          leader: member.address === leader,
          snapshot: fresh ?? this.lastKnown.get(member.address),
          stale: fresh === undefined,
        };
      }),
    );
    return { self, leader, at: this.system.scheduler.now(), members: views };
  }

  private async ask(address: string): Promise<NodeSnapshot | undefined> {
    try {
      const ref = this.remoting.resolve(`casty://${this.system.name}@${address}/system/${SNAPSHOT_ACTOR}`) as ActorRef<SnapshotRequest>;
      return await this.system.ask<SnapshotRequest, NodeSnapshot>(ref, (replyTo) => ({ replyTo }), { timeout: SNAPSHOT_TIMEOUT_MS });
    } catch {
      return undefined; // unreachable, stopping, or an older node without the actor
    }
  }
}

/** The cluster page's views of a cluster node (its snapshot actor starts with it). */
export const ClusterViewsId: ExtensionIdFor<ClusterViews, ActorSystem> = {
  key: "casty.ClusterViews",
  create: (system) => new ClusterViews(system),
};
