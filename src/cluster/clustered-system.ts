import type { TimerHandle } from "../actor/scheduler.js";
import { nodeUri } from "../remote/address.js";
import { bindServer, RemoteActorSystem, type BoundServer } from "../remote/remote-system.js";
import { Cluster } from "./cluster.js";
import { ClusterDaemon } from "./daemon.js";
import { MemberRemoved } from "./events.js";
import { NodeHealth } from "./health.js";
import { resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from "./options.js";
import { PeerStreams } from "./peer-streams.js";
import { addClusterService } from "./service.js";

/** How long what is held for a removed node stays, so the leader's farewell gossip still goes out. */
const REMOVED_NODE_GRACE_MS = 1000;

/**
 * A cluster node: an actor system with remoting whose membership is gossiped with the other nodes.
 * `start` binds the node's port and begins joining through the seeds; `cluster.whenUp()` waits for it.
 */
export class ClusteredActorSystem extends RemoteActorSystem {
  readonly cluster: Cluster;
  private readonly daemon: ClusterDaemon;
  /** @internal Gossip and heartbeat streams to the other members. */
  readonly peerStreams: PeerStreams;
  private readonly health: NodeHealth;
  private readonly clusterOptions: ResolvedClusterOptions;
  private leaving: Promise<void> | undefined;
  private readonly leaveTasks = new Set<() => Promise<void>>();
  private closing: Promise<void> | undefined;
  private out!: () => void;
  private readonly removedFromCluster = new Promise<void>((resolve) => (this.out = resolve));
  private readonly removalTimers = new Set<TimerHandle>();

  static override async start(options: ClusterOptions): Promise<ClusteredActorSystem> {
    const clusterOptions = resolveClusterOptions(options);
    const bound = await bindServer(options);
    let system: ClusteredActorSystem;
    try {
      system = new ClusteredActorSystem(options, clusterOptions, bound);
    } catch (error) {
      bound.server.forceShutdown(); // do not leave the port bound
      throw error;
    }
    system.daemon.start();
    return system;
  }

  protected constructor(options: ClusterOptions, clusterOptions: ResolvedClusterOptions, bound: BoundServer) {
    super(options, bound);
    this.clusterOptions = clusterOptions;
    this.peerStreams = new PeerStreams({
      log: this.log,
      scheduler: this.scheduler,
      client: (key) => this.client(key),
      isBlocked: (key) => this.isBlocked(key),
      onGossip: (envelope, reply) => this.daemon.onGossip(envelope, reply),
      onHeartbeatResponse: (response) => this.daemon.onHeartbeatResponse(response),
    });
    this.daemon = new ClusterDaemon(
      {
        systemName: this.name,
        selfNode: this.selfNode,
        scheduler: this.scheduler,
        log: this.log,
        peers: this.peerStreams,
        publish: (event) => this.eventStream.publish(event),
        removed: () => this.removed(),
        stateChanged: () => (this.health.serving = this.daemon.isMember && this.daemon.selfMember?.status === "up"),
      },
      clusterOptions,
    );
    this.health = new NodeHealth(this.server);
    addClusterService(this.server, { log: this.log, daemon: this.daemon, peers: this.peerStreams, isBlocked: (key) => this.isBlocked(key) });
    this.eventStream.subscribe(MemberRemoved, (event) => this.memberRemoved(event.address));
    this.cluster = new Cluster(this.daemon, this.eventStream, this.scheduler, () => this.leaveCluster(), this.peerStreams.traffic);
  }

  /** Leaves the cluster first (bounded by `leaveTimeout`), then stops actors and the node. */
  override shutdown(): Promise<void> {
    this.closing ??= (async () => {
      await this.leaveCluster();
      this.daemon.stop();
      for (const timer of this.removalTimers) this.scheduler.clearTimeout(timer);
      this.peerStreams.close();
      await super.shutdown();
    })();
    return this.closing;
  }

  /**
   * Runs `task` when this node starts leaving, before it announces the leave (e.g. sharding hands its
   * shards off while the cluster still routes to it). Returns a function that removes the task.
   */
  addLeaveTask(task: () => Promise<void>): () => void {
    this.leaveTasks.add(task);
    return () => this.leaveTasks.delete(task);
  }

  private leaveCluster(): Promise<void> {
    this.leaving ??= (async () => {
      if (this.daemon.isMember) {
        await Promise.all([...this.leaveTasks].map((task) => task().catch((error: unknown) => this.log.error("a leave task failed", error))));
        this.daemon.leave();
        const timeout = this.clusterOptions.leaveTimeout;
        let timer: unknown;
        await Promise.race([this.removedFromCluster, new Promise<void>((resolve) => (timer = this.scheduler.setTimeout(resolve, timeout)))]);
        this.scheduler.clearTimeout(timer);
      }
      this.health.serving = false;
    })();
    return this.leaving;
  }

  /**
   * Actors on a removed node are gone (their remote watchers hear Terminated), and what this node holds
   * for it is dropped, after a moment that lets the farewell gossip out; unless a new incarnation
   * joined at that address meanwhile.
   */
  private memberRemoved(address: string): void {
    if (address === this.selfAddress) return;
    this.deathWatch.nodeGone(nodeUri(this.name, address));
    const timer = this.scheduler.setTimeout(() => {
      this.removalTimers.delete(timer);
      if (this.daemon.state.members.some((m) => m.address === address)) return;
      this.peerStreams.forget(address);
      this.endpoints.remove(address, `${address} was removed from the cluster`);
    }, REMOVED_NODE_GRACE_MS);
    this.removalTimers.add(timer);
  }

  private removed(): void {
    this.health.serving = false;
    this.out();
    if (this.clusterOptions.shutdownWhenRemoved) void this.shutdown();
  }
}
