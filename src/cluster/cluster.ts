import { ShutdownPhase, type ShutdownReason } from "../actor/coordinated-shutdown.js";
import type { EventClass } from "../actor/event-stream.js";
import type { ExtensionId } from "../actor/extension.js";
import type { TimerHandle } from "../actor/scheduler.js";
import type { ActorSystem } from "../actor/system.js";
import { nodeUri } from "../remote/address.js";
import type { Remoting } from "../remote/remoting.js";
import { ClusterDaemon } from "./daemon.js";
import { memberInfo, MemberRemoved, MemberUp, toEvent, type AnyClusterEvent, type ClusterEvent, type MemberInfo } from "./events.js";
import { JoinRefusedError, JoinTimeoutError } from "./errors.js";
import { NodeHealth } from "./health.js";
import { leader } from "./leader.js";
import { diffEvents } from "./membership-events.js";
import { emptyState, unreachableAddresses } from "./membership.js";
import type { ResolvedClusterOptions } from "./options.js";
import { PeerStreams, type ClusterTraffic } from "./peer-streams.js";
import { addClusterService } from "./service.js";

/** The cluster extension of a system (`system.findExtension(ClusterExtensionId)`); installed by `Cluster.install`. */
export const ClusterExtensionId: ExtensionId<Cluster> = {
  key: "casty.Cluster",
  create(system) {
    throw new Error(`actor system ${system.name} is not a cluster node: start it with ClusteredActorSystem.start(...)`);
  },
};

/** How long what is held for a removed node stays, so the leader's farewell gossip still goes out. */
const REMOVED_NODE_GRACE_MS = 1000;

/** A snapshot of the membership as this node sees it. */
export interface ClusterStateSnapshot {
  readonly members: readonly MemberInfo[];
  /** Addresses some member finds unreachable. */
  readonly unreachable: readonly string[];
}

/**
 * Cluster membership of one node (`system.cluster`): state, leader, events, leaving. Its leave runs
 * in the coordinated shutdown: `cluster-leave` announces it, `cluster-exiting` waits (bounded by
 * `leaveTimeout`) until this node is removed.
 */
export class Cluster {
  /** @internal */ readonly daemon: ClusterDaemon;
  /** @internal Gossip and heartbeat streams to the other members. */ readonly peerStreams: PeerStreams;
  private readonly health: NodeHealth;
  private announced = false;
  private readonly leaveTasks = new Set<() => Promise<void>>();
  private handingOff: Promise<void> | undefined;
  private readonly refusalListeners = new Set<(error: JoinRefusedError) => void>();
  private leaving: Promise<void> | undefined;
  private out!: () => void;
  private readonly removedFromCluster = new Promise<void>((resolve) => (this.out = resolve));
  private readonly removalTimers = new Set<TimerHandle>();

  /** Builds the cluster for `system` on its remoting, registers the extension and starts joining. */
  static install(system: ActorSystem, remoting: Remoting, options: ResolvedClusterOptions): Cluster {
    const cluster = new Cluster(system, remoting, options);
    system.registerExtension(ClusterExtensionId, cluster);
    // an unreachable member is gone once removed; an address that is no member, once unreachable
    remoting.deathWatch.decideUnreachable((node) => !cluster.daemon.state.members.some((m) => nodeUri(system.name, m.address) === node));
    cluster.daemon.start();
    return cluster;
  }

  private constructor(
    private readonly system: ActorSystem,
    private readonly remoting: Remoting,
    private readonly options: ResolvedClusterOptions,
  ) {
    const { log, scheduler, eventStream } = system;
    this.peerStreams = new PeerStreams({
      log,
      scheduler,
      client: (key) => remoting.client(key),
      isBlocked: (key) => remoting.isBlocked(key),
      onGossip: (envelope, reply) => this.daemon.onGossip(envelope, reply),
      onHeartbeatResponse: (response) => this.daemon.onHeartbeatResponse(response),
    });
    this.daemon = new ClusterDaemon(
      {
        systemName: system.name,
        selfNode: remoting.selfNode,
        scheduler,
        log,
        peers: this.peerStreams,
        publish: (event) => eventStream.publish(event),
        removed: (reason) => this.removed(reason),
        stateChanged: () => (this.health.serving = this.daemon.isMember && this.daemon.selfMember?.status === "up"),
        joinRefused: (seed, reason, message) => {
          for (const listener of [...this.refusalListeners]) listener(new JoinRefusedError(seed, reason, message));
        },
      },
      options,
    );
    this.health = new NodeHealth(remoting.server);
    addClusterService(remoting.server, { log, daemon: this.daemon, peers: this.peerStreams, isBlocked: (key) => remoting.isBlocked(key) });
    eventStream.subscribe(MemberRemoved, (event) => this.memberRemoved(event.address));
    const shutdown = system.coordinatedShutdown;
    shutdown.addTask(ShutdownPhase.shardingHandOff, "cluster leave tasks", () => this.handOff());
    shutdown.addTask(ShutdownPhase.clusterLeave, "cluster leave", () => this.announceLeave());
    shutdown.addTask(
      ShutdownPhase.clusterExiting,
      "cluster exiting",
      () => this.untilRemoved(),
      () => `waiting to be removed, at most ${options.leaveTimeout} ms`,
    );
    shutdown.addTask(ShutdownPhase.beforeActorSystemTerminate, "cluster membership", () => this.stop());
  }

  /** Reports `service` (a full name) in `grpc.health.v1.Health` as the node's readiness: SERVING while this member is Up. */
  reportHealthOf(service: string): void {
    this.health.addReadiness(service);
  }

  /** Bytes this node sent for gossip and heartbeats. */
  get traffic(): Readonly<ClusterTraffic> {
    return this.peerStreams.traffic;
  }

  get state(): ClusterStateSnapshot {
    const state = this.daemon.state;
    return { members: state.members.map(memberInfo), unreachable: [...unreachableAddresses(state)] };
  }

  get leader(): string | undefined {
    return leader(this.daemon.state);
  }

  get selfAddress(): string {
    return this.daemon.self.address;
  }

  /** This node as a member, once it joined. */
  get selfMember(): MemberInfo | undefined {
    const member = this.daemon.selfMember;
    return member === undefined ? undefined : memberInfo(member);
  }

  /**
   * Leaves gracefully: Leaving → Exiting → Removed; resolves when removed (or after `leaveTimeout`).
   * With `shutdownWhenRemoved` (the default) this is the coordinated shutdown with reason "leave", and
   * it resolves once the system has stopped.
   */
  leave(): Promise<void> {
    if (this.options.shutdownWhenRemoved) return this.system.coordinatedShutdown.run("leave");
    this.leaving ??= this.handOffThenLeave();
    return this.leaving;
  }

  /** Marks a member Down (an operator's decision); the leader then removes it. */
  down(address: string): void {
    this.daemon.down(address);
  }

  /** Subscribes to a cluster event class (or `ClusterEvent` for all); the current state is replayed first. */
  subscribe(eventClass: typeof ClusterEvent, listener: (event: AnyClusterEvent) => void): () => void;
  subscribe<E extends ClusterEvent>(eventClass: EventClass<E>, listener: (event: E) => void): () => void;
  subscribe<E extends ClusterEvent>(eventClass: EventClass<E>, listener: (event: E) => void): () => void {
    for (const data of diffEvents(emptyState, this.daemon.state, this.daemon.self)) {
      const event = toEvent(data);
      if (event instanceof eventClass) listener(event);
    }
    return this.system.eventStream.subscribe(eventClass, listener);
  }

  /**
   * Resolves once this node is Up. Rejects with a `JoinRefusedError` when a seed refuses it for good,
   * and with a `JoinTimeoutError` (naming the seeds and their last answers) after `timeout` ms.
   */
  whenUp(timeout = 10_000): Promise<void> {
    if (this.daemon.selfMember?.status === "up") return Promise.resolve();
    const { scheduler, eventStream } = this.system;
    return new Promise((resolve, reject) => {
      const settle = (error?: Error) => {
        scheduler.clearTimeout(timer);
        off();
        this.refusalListeners.delete(refused);
        if (error === undefined) resolve();
        else reject(error);
      };
      const timer = scheduler.setTimeout(() => settle(new JoinTimeoutError(this.selfAddress, timeout, this.daemon.seedsTried)), timeout);
      const off = eventStream.subscribe(MemberUp, (event) => event.address === this.selfAddress && settle());
      const refused = (error: JoinRefusedError) => settle(error);
      this.refusalListeners.add(refused);
    });
  }

  /**
   * Runs `task` when this node starts leaving, before it announces the leave (e.g. sharding hands its
   * shards off while the cluster still routes to it): a task of the coordinated shutdown's
   * `cluster-sharding-shutdown-region` phase. Returns a function that removes the task.
   */
  addLeaveTask(task: () => Promise<void>): () => void {
    this.leaveTasks.add(task);
    return () => this.leaveTasks.delete(task);
  }

  /** The leave tasks, once, while this node is still a member. */
  private handOff(): Promise<void> {
    this.handingOff ??= this.daemon.isMember
      ? Promise.all([...this.leaveTasks].map((task) => task().catch((error: unknown) => this.system.log.error("a leave task failed", error)))).then(
          () => undefined,
        )
      : Promise.resolve();
    return this.handingOff;
  }

  /** A leave without shutting the system down (`shutdownWhenRemoved: false`). */
  private async handOffThenLeave(): Promise<void> {
    await this.handOff();
    this.announceLeave();
    await this.untilRemoved();
  }

  private announceLeave(): void {
    if (this.announced) return;
    this.announced = true;
    if (this.daemon.isMember) this.daemon.leave();
    this.health.serving = false;
  }

  /** Resolves once removed, or after `leaveTimeout` when this node was a member that announced its leave. */
  private async untilRemoved(): Promise<void> {
    if (!this.daemon.isMember) return;
    const { scheduler } = this.system;
    let timer: TimerHandle;
    await Promise.race([this.removedFromCluster, new Promise<void>((resolve) => (timer = scheduler.setTimeout(resolve, this.options.leaveTimeout)))]);
    scheduler.clearTimeout(timer);
  }

  private stop(): void {
    this.daemon.stop();
    for (const timer of this.removalTimers) this.system.scheduler.clearTimeout(timer);
    this.peerStreams.close();
    this.health.serving = false;
  }

  /**
   * Actors on a removed node are gone (their remote watchers hear Terminated), and what this node holds
   * for it is dropped, after a moment that lets the farewell gossip out; unless a new incarnation
   * joined at that address meanwhile.
   */
  private memberRemoved(address: string): void {
    if (address === this.selfAddress) return;
    this.remoting.deathWatch.nodeGone(nodeUri(this.system.name, address));
    const { scheduler } = this.system;
    const timer = scheduler.setTimeout(() => {
      this.removalTimers.delete(timer);
      if (this.daemon.state.members.some((m) => m.address === address)) return;
      this.peerStreams.forget(address);
      this.remoting.endpoints.remove(address, `${address} was removed from the cluster`);
    }, REMOVED_NODE_GRACE_MS);
    this.removalTimers.add(timer);
  }

  private removed(reason: string): void {
    this.health.serving = false;
    this.out();
    if (!this.options.shutdownWhenRemoved) return;
    const why: ShutdownReason = reason === "downed" ? "downed" : "removed";
    this.system.coordinatedShutdown.run(why).catch((error: unknown) => this.system.log.error("the shutdown after leaving the cluster failed", error));
  }
}
