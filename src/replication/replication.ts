import type { ReplicationFrame } from "../../gen/casty/v1/replication.js";
import { ShutdownPhase } from "../actor/coordinated-shutdown.js";
import type { ActorSystem } from "../actor/system.js";
import { ClusterExtensionId, type Cluster } from "../cluster/cluster.js";
import { MemberRemoved } from "../cluster/events.js";
import { PersistHooksId } from "../persistence/persist-hook.js";
import { RowCodec } from "../persistence/row-codec.js";
import { RemotingId, type Remoting } from "../remote/remoting.js";
import { ShardReplicationId, type RegionReplication, type ReplicatedRegion, type ShardReplicationProvider } from "../sharding/replication-hook.js";
import { Links } from "./links.js";
import { RegionReplicator } from "./region-replicator.js";
import { addReplicationService } from "./service.js";

/** The region a frame is for (every frame names it). */
function regionOf(frame: ReplicationFrame): string | undefined {
  return frame.frame?.value.region;
}

/**
 * Shard replication on one cluster node: serves ReplicationService on the node's gRPC server, sends on
 * one stream to each peer, and runs a `RegionReplicator` for every region started with `replication`
 * (attached to sharding as the `ShardReplicationId` extension, to persistence as the regions' persist hook).
 */
export class Replication implements ShardReplicationProvider {
  private readonly regions = new Map<string, RegionReplicator>();
  private readonly links: Links;
  private readonly codec: RowCodec;

  /** Installs replication on a cluster node (its remoting and cluster extensions must be there). */
  static install(system: ActorSystem): Replication {
    const remoting = system.findExtension(RemotingId);
    const cluster = system.findExtension(ClusterExtensionId);
    if (remoting === undefined || cluster === undefined) throw new Error(`actor system ${system.name} is not a cluster node`);
    const replication = new Replication(system, remoting, cluster);
    system.registerExtension(ShardReplicationId, replication);
    return replication;
  }

  private constructor(
    private readonly system: ActorSystem,
    remoting: Remoting,
    private readonly cluster: Cluster,
  ) {
    const { log, scheduler } = system;
    this.codec = new RowCodec(remoting.serialization);
    const isBlocked = (peer: string) => remoting.isBlocked(peer);
    this.links = new Links({
      log,
      scheduler,
      selfNode: { address: remoting.selfAddress, uid: remoting.uid },
      client: (peer) => remoting.client(peer),
      isBlocked,
      opened: (peer) => {
        for (const region of this.regions.values()) region.linkOpened(peer);
      },
    });
    addReplicationService(remoting.server, { log, isBlocked, received: (from, frame) => this.regionFor(frame)?.received(from, frame) });
    system.eventStream.subscribe(MemberRemoved, (event) => this.links.forget(event.address));
    system.coordinatedShutdown.addTask(ShutdownPhase.beforeActorSystemTerminate, "replication streams", () => this.links.close());
  }

  attach(region: ReplicatedRegion): RegionReplication {
    const replicator = new RegionReplicator(region, {
      scheduler: this.system.scheduler,
      codec: this.codec,
      send: (peer, frame) => this.links.send(peer, frame),
      isMember: (node) => this.cluster.state.members.some((m) => m.address === node && m.status !== "down" && m.status !== "removed"),
    });
    this.regions.set(region.path, replicator);
    const unhook = this.system.extension(PersistHooksId).attach(region.ref, replicator);
    return {
      allocationChanged: (shard, allocation) => replicator.allocationChanged(shard, allocation),
      progress: (all) => replicator.progress(all),
      stats: () => replicator.stats(),
      detach: () => {
        unhook();
        if (this.regions.get(region.path) === replicator) this.regions.delete(region.path);
        replicator.detach();
      },
    };
  }

  private regionFor(frame: ReplicationFrame): RegionReplicator | undefined {
    const path = regionOf(frame);
    return path === undefined ? undefined : this.regions.get(path);
  }
}
