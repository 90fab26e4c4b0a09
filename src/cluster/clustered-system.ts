import { RemoteActorSystem } from "../remote/remote-system.js";
import { startBound, type BoundServer } from "../remote/server.js";
import { Cluster } from "./cluster.js";
import type { PeerStreams } from "./peer-streams.js";
import { resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from "./options.js";

/**
 * A cluster node: an actor system with the `Remoting` and `Cluster` extensions, whose membership is
 * gossiped with the other nodes. `start` binds the node's port and begins joining through the seeds;
 * `cluster.whenUp()` waits for it. `shutdown()` leaves the cluster first (coordinated shutdown).
 */
export class ClusteredActorSystem extends RemoteActorSystem {
  readonly cluster: Cluster;

  static override async start(options: ClusterOptions): Promise<ClusteredActorSystem> {
    const clusterOptions = resolveClusterOptions(options);
    return startBound(options, (bound) => new ClusteredActorSystem(options, clusterOptions, bound));
  }

  protected constructor(options: ClusterOptions, clusterOptions: ResolvedClusterOptions, bound: BoundServer) {
    super(options, bound);
    this.cluster = Cluster.install(this, this.remoting, clusterOptions);
  }

  /** @internal Gossip and heartbeat streams to the other members. */
  get peerStreams(): PeerStreams {
    return this.cluster.peerStreams;
  }

  /**
   * Runs `task` when this node starts leaving, before it announces the leave (e.g. sharding hands its
   * shards off while the cluster still routes to it). Returns a function that removes the task.
   */
  addLeaveTask(task: () => Promise<void>): () => void {
    return this.cluster.addLeaveTask(task);
  }
}
