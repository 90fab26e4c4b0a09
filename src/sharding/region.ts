import { LocalBehaviors, type Behavior } from "../actor/behavior.js";
import type { ActorContext } from "../actor/api.js";
import { receiveInline, receiveKeyedInline, routeOn, stopAfterPending } from "../actor/internal.js";
import type { ActorRef } from "../actor/ref.js";
import { Terminated } from "../actor/terminated.js";
import { ClusterEvent, LeaderChanged, MemberRemoved } from "../cluster/events.js";
import { RemoteActorRef } from "../remote/remote-ref.js";
import { ownerOf, type ShardAllocation } from "./allocation.js";
import { BufferBudget } from "./buffer-budget.js";
import { clusterHost } from "./cluster-host.js";
import { ShardCoordinator } from "./coordinator.js";
import { Passivate, RoutedEnvelope, ShardEnvelope } from "./envelope.js";
import type { ResolvedShardingOptions } from "./options.js";
import { allocationOf, coordinationProblem, isCoordination, TYPE, wireHome, type Coordination } from "./protocol.js";
import type { RegionHost } from "./region-host.js";
import { ShardReplicationId, type RegionReplication, type ShardReplicationStats } from "./replication-hook.js";
import { Shard, type RunningEntity, type ShardHost } from "./shard.js";
import { shardOf } from "./shard-id.js";

/** Internal messages of a region besides envelopes, coordination and cluster events. */
class BeginLeave {
  constructor(readonly done: () => void) {}
}
const TICK = Symbol("tick");
const TICK_MS = 100;
/** Ticks before a shard home is asked for again. */
const REQUEST_RETRY_TICKS = 3;
/** Forwards between regions before an envelope is a dead letter (a handoff under way needs two). */
export const MAX_HOPS = 5;

export type RegionMessage<M> = ShardEnvelope<M> | Coordination | ClusterEvent | Terminated | Passivate | typeof TICK | BeginLeave;

/** What a region knows about sharding statistics, for introspection. */
export interface RegionStats {
  readonly node: string;
  /** Shards this node owns. */
  readonly shards: readonly number[];
  /** Entities running on this node. */
  readonly entities: number;
  /** Where every shard this region knows of lives: node → shard ids (the coordinator's allocation as seen here). */
  readonly allocation: ReadonlyMap<string, readonly number[]>;
  /** Shards this region handed off (rebalance, leave) since it started. */
  readonly handOffs: number;
  /** Shard moves the coordinator started while it ran on this node. */
  readonly rebalances: number;
  /** With replication: each allocated shard's primary, replicas and replication lag (see ShardReplicationStats). */
  readonly replication?: ReadonlyMap<number, ShardReplicationStats>;
}

const regions = new WeakMap<ActorRef<never>, ShardRegion<unknown>>();
/** The live regions of each system, for metrics and the cluster page. */
const regionsBySystem = new WeakMap<object, Set<ShardRegion<unknown>>>();

/** Statistics of the region behind `ref` (a ref returned by spawning `Behaviors.sharded`), on this node. */
export function regionStats(ref: ActorRef<never>): RegionStats | undefined {
  return regions.get(ref)?.stats();
}

/** The statistics of every region running in `system`, by the region's name. */
export function allRegionStats(system: object): Map<string, RegionStats> {
  const all = new Map<string, RegionStats>();
  for (const region of regionsBySystem.get(system) ?? []) all.set(region.name, region.stats());
  return all;
}

/**
 * The shard region of one entity type on one node: routes envelopes to the entity's home (locally
 * without serialization, else in one hop to the owning node's region), buffers what waits for a home,
 * keeps the shards it owns, and, on the leader, runs the coordinator. `hostOf` finds the cluster.
 */
export function shardRegion<M>(
  factory: (entityId: string) => Behavior<M>,
  options: ResolvedShardingOptions,
  hostOf: (ctx: ActorContext<never>) => RegionHost | undefined = clusterHost,
): Behavior<RegionMessage<M>> {
  return LocalBehaviors.setup<RegionMessage<M>>((ctx) => {
    const region = new ShardRegion(ctx, factory, options, hostOf(ctx));
    // routing an envelope is short and sync: an idle region routes it within the sender's tell
    receiveInline(ctx.self, (message) => region.routeArrived(message));
    receiveKeyedInline(ctx.self, (entityId, message, known) => region.routeToRunning(entityId, message as M, known));
    return LocalBehaviors.withLifecycle(
      LocalBehaviors.receive<RegionMessage<M>>((_ctx, message) => {
        region.receive(message);
        return LocalBehaviors.same();
      }),
      { postStop: () => region.stopped() },
    );
  });
}

class ShardRegion<M> implements ShardHost<M> {
  private readonly selfAddress: string;
  readonly budget: BufferBudget;
  readonly running = new Map<string, RunningEntity<M>>();
  /** Shards that take messages here (owned, or handing off), by shard id (packed arrays: routing reads them per message). */
  private readonly shards: (Shard<M> | undefined)[];
  /** Shards homed elsewhere now whose entities still stop. */
  private readonly retiring = new Map<number, Shard<M>>();
  /** Known allocations, by shard id. */
  private readonly allocations: (ShardAllocation | undefined)[];
  /** The region on the home of each shard homed on another node. */
  private readonly remote: (ActorRef<RegionMessage<M>> | undefined)[];
  /** Envelopes of shards whose home is unknown, or that another region sent here while our table says elsewhere. */
  private readonly pending = new Map<number, ShardEnvelope<M>[]>();
  private readonly requested = new Map<number, number>();
  private readonly peers = new Map<string, ActorRef<RegionMessage<M>>>();
  private coordinator: ShardCoordinator | undefined;
  private leader: string | undefined;
  private registered = false;
  /** Highest epoch of any home this region heard of (reported when registering). */
  private knownEpoch = 0n;
  private ticks = 0;
  private leaveDone: (() => void) | undefined;
  private lastLoggedShards = -1;
  private readonly cleanups: (() => void)[] = [];
  private handOffs = 0;
  private rebalances = 0;
  private readonly replication: RegionReplication | undefined;

  constructor(
    private readonly ctx: ActorContext<RegionMessage<M>>,
    private readonly factory: (entityId: string) => Behavior<M>,
    private readonly options: ResolvedShardingOptions,
    private readonly host: RegionHost | undefined,
  ) {
    this.selfAddress = host?.selfNode.address ?? "local";
    this.shards = new Array<Shard<M> | undefined>(options.numShards).fill(undefined);
    this.allocations = new Array<ShardAllocation | undefined>(options.numShards).fill(undefined);
    this.remote = new Array<ActorRef<RegionMessage<M>> | undefined>(options.numShards).fill(undefined);
    this.budget = new BufferBudget(options.bufferSize, (envelope) => this.deadLetter(envelope, "shard region buffer is full"));
    regions.set(ctx.self, this as ShardRegion<unknown>);
    let live = regionsBySystem.get(ctx.system);
    if (live === undefined) regionsBySystem.set(ctx.system, (live = new Set()));
    live.add(this as ShardRegion<unknown>);
    this.cleanups.push(() => live.delete(this as ShardRegion<unknown>));
    ctx.startTimer("tick", TICK, TICK_MS);
    if (host === undefined) return;
    this.replication = this.attachReplication(host);
    this.cleanups.push(
      host.subscribe((event) => ctx.self.tell(event)),
      host.beforeLeave(
        () =>
          new Promise<void>((resolve) => {
            const scheduler = ctx.system.scheduler;
            const timer = scheduler.setTimeout(resolve, options.handOffTimeout);
            ctx.self.tell(new BeginLeave(() => (scheduler.clearTimeout(timer), resolve())));
          }),
      ),
    );
  }

  /** An envelope handed to the idle region (see receiveInline): routed at once; anything else is left to `receive`. */
  routeArrived(message: RegionMessage<M>): message is ShardEnvelope<M> {
    if (!(message instanceof ShardEnvelope)) return false;
    this.route(message, true);
    return true;
  }

  receive(message: RegionMessage<M>): void {
    if (this.routeArrived(message)) return;
    if (message === TICK) this.tick();
    else if (message instanceof Terminated) this.entityTerminated(message.ref);
    else if (message instanceof Passivate) this.passivate(message.entity);
    else if (message instanceof ClusterEvent) this.clusterEvent(message);
    else if (message instanceof BeginLeave) this.beginLeave(message.done);
    else if (isCoordination(message)) this.coordinationFrom(message);
    else this.ctx.log.warn(`region got an unexpected message: ${String(message)}`);
  }

  stopped(): void {
    for (const cleanup of this.cleanups) cleanup();
    this.replication?.detach();
    this.leaveDone?.();
    const undelivered = [...this.pending.values()].flat();
    for (const shard of [...this.shards, ...this.retiring.values()]) if (shard !== undefined) undelivered.push(...shard.drain());
    for (const envelope of undelivered) this.deadLetter(envelope, "shard region stopped");
  }

  get name(): string {
    return this.ctx.self.path.slice(this.ctx.self.path.lastIndexOf("/") + 1);
  }

  stats(): RegionStats {
    const owned: number[] = [];
    const allocation = new Map<string, number[]>();
    if (this.host === undefined) {
      this.shards.forEach((shard, id) => shard !== undefined && owned.push(id));
      allocation.set(this.selfAddress, owned);
    } else {
      this.allocations.forEach((a, id) => {
        if (a === undefined) return;
        const node = ownerOf(a);
        if (node === this.selfAddress) owned.push(id);
        const ids = allocation.get(node);
        if (ids === undefined) allocation.set(node, [id]);
        else ids.push(id);
      });
    }
    let entities = 0;
    for (const shard of this.shards) entities += shard?.entities.size ?? 0;
    for (const shard of this.retiring.values()) entities += shard.entities.size;
    const replication = this.replication?.stats();
    return {
      node: this.selfAddress,
      shards: owned,
      entities,
      allocation,
      handOffs: this.handOffs,
      rebalances: this.rebalances,
      ...(replication && { replication }),
    };
  }

  // ---- routing ----

  /**
   * Routes a message that came without its envelope (see `receiveKeyedInline`) when its entity runs
   * here: returns the entity (remoting hands it back as `known` with the next message for that id), or
   * undefined when it does not run here.
   */
  routeToRunning(entityId: string, message: M, known: object | undefined): RunningEntity<M> | undefined {
    let running = known as RunningEntity<M> | undefined;
    if (running?.region !== this) running = this.running.get(entityId); // stopped, or another region's (one that restarted)
    if (running === undefined) return undefined;
    running.lastTick = this.ticks;
    routeOn(running.ref, message);
    return running;
  }

  /** `arrived`: it came to this region (from a user, a client or another region), not from its own buffers. */
  private route(envelope: ShardEnvelope<M>, arrived = false): void {
    const running = this.running.size === 0 ? undefined : this.running.get(envelope.entityId);
    if (running !== undefined) {
      // the common case, without hashing the id: a running entity's shard is active here
      running.lastTick = this.ticks;
      routeOn(running.ref, envelope.message);
      return;
    }
    const id = shardOf(envelope.entityId, this.options.numShards);
    const shard = this.shards[id];
    if (shard !== undefined) return shard.deliver(envelope, this.ticks);
    const remote = this.remote[id];
    if (remote !== undefined && !(envelope instanceof RoutedEnvelope)) return this.sendHome(remote, envelope, 1);
    this.routeUnsettled(id, envelope, arrived); // out of line: the path above is every send to another node
  }

  /** An envelope for shard `id` that is not active here and has no home elsewhere, or one another region passed on. */
  private routeUnsettled(id: number, envelope: ShardEnvelope<M>, arrived: boolean): void {
    if (this.host === undefined) return this.localShard(id).deliver(envelope, this.ticks);
    const remote = this.remote[id];
    // Another region sent it here by a table that disagrees with ours: ours may be the stale one (e.g.
    // during a handoff), so it waits for the coordinator's answer instead of bouncing back at once.
    if (remote !== undefined && !arrived && envelope instanceof RoutedEnvelope) return this.forward(id, remote, envelope as RoutedEnvelope<M>);
    let waiting = this.pending.get(id);
    if (waiting === undefined) this.pending.set(id, (waiting = []));
    this.budget.push(waiting, envelope);
    this.requestHome(id);
  }

  /**
   * Passes on an envelope that came from another region and is not ours either: two routing tables
   * disagree, so ours is refreshed, and after `MAX_HOPS` the envelope is a dead letter.
   */
  private forward(shard: number, remote: ActorRef<RegionMessage<M>>, envelope: RoutedEnvelope<M>): void {
    this.requestHome(shard);
    if (envelope.hops >= MAX_HOPS) {
      this.deadLetter(envelope, `not delivered after ${MAX_HOPS} forwards between shard regions (their routing tables disagree)`);
      return;
    }
    this.sendHome(remote, envelope, envelope.hops + 1);
  }

  /**
   * Sends to another node's region as its `hops`-th forward. One that cannot go (e.g. cannot be
   * serialized) is a dead letter, never a failure of the region. Kept small: it is every remote send.
   */
  private sendHome(remote: ActorRef<RegionMessage<M>>, envelope: ShardEnvelope<M>, hops: number): void {
    try {
      // over the wire the hop count rides in the remoting envelope: the user's envelope goes as it is
      if (remote instanceof RemoteActorRef) remote.forward(envelope, hops);
      else if (envelope instanceof RoutedEnvelope) {
        envelope.hops = hops; // arrived from another region: this object is the region's own
        remote.tell(envelope);
      } else remote.tell(new RoutedEnvelope(envelope.entityId, envelope.message, hops));
    } catch (error) {
      this.unsendable(envelope, remote, error);
    }
  }

  private unsendable(envelope: ShardEnvelope<M>, remote: ActorRef<never>, error: unknown): void {
    const reason = `cannot be sent to ${remote.address}: ${error instanceof Error ? error.message : String(error)}`;
    this.ctx.log.warn(`message for entity ${envelope.entityId} ${reason}`);
    this.deadLetter(envelope, reason);
  }

  private deadLetter(envelope: ShardEnvelope<unknown>, reason: string): void {
    this.ctx.system.deadLetter(envelope, this.ctx.self, reason);
  }

  /** The shard object for `id` that takes messages here, made active (a retiring one comes back). */
  private localShard(id: number): Shard<M> {
    let shard = this.shards[id];
    if (shard !== undefined) return shard;
    shard = this.retiring.get(id);
    this.retiring.delete(id);
    shard ??= new Shard<M>(id, this);
    shard.activate();
    this.shards[id] = shard;
    return shard;
  }

  startEntity(id: string): ActorRef<M> {
    const ref = this.ctx.spawn(this.factory(id), encodeURIComponent(id));
    this.ctx.watch(ref);
    return ref;
  }

  stopEntity(ref: ActorRef<M>): void {
    stopAfterPending(ref); // after the messages already delivered
  }

  private entityTerminated(ref: ActorRef<never>): void {
    const id = decodeURIComponent(ref.path.slice(ref.path.lastIndexOf("/") + 1));
    const shardId = shardOf(id, this.options.numShards);
    const shard = this.shards[shardId] ?? this.retiring.get(shardId);
    if (shard === undefined) return;
    const waited = shard.entityStopped(id, ref);
    if (shard.entities.size === 0) {
      if (shard.status.kind === "handingOff") this.reportStopped(shard);
      else if (shard.status.kind === "released") this.retiring.delete(shardId);
    }
    for (const envelope of waited) this.route(envelope);
  }

  private passivate(ref: ActorRef<never>): void {
    const id = decodeURIComponent(ref.path.slice(ref.path.lastIndexOf("/") + 1));
    this.shards[shardOf(id, this.options.numShards)]?.passivate(id, ref);
  }

  // ---- coordination ----

  private peer(node: string): ActorRef<RegionMessage<M>> {
    let ref = this.peers.get(node);
    if (ref === undefined) this.peers.set(node, (ref = this.host!.regionOn(node) as ActorRef<RegionMessage<M>>));
    return ref;
  }

  private toCoordinator(message: Coordination): void {
    if (this.leader !== undefined) this.peer(this.leader).tell(message);
  }

  private requestHome(shard: number): void {
    const last = this.requested.get(shard);
    if (last !== undefined && this.ticks - last < REQUEST_RETRY_TICKS) return;
    this.requested.set(shard, this.ticks);
    this.toCoordinator({ $type: TYPE.getHome, shardId: shard, node: this.selfAddress });
  }

  private register(): void {
    if (this.leader === undefined || this.host === undefined) return;
    const owned = [];
    for (let id = 0; id < this.allocations.length; id++) {
      const allocation = this.allocations[id];
      if (allocation !== undefined && this.isSelf(allocation)) owned.push(wireHome(id, allocation));
    }
    const { address, uid } = this.host.selfNode;
    this.toCoordinator({ $type: TYPE.register, node: address, nodeUid: uid, hosting: this.hosting(), owned, knownEpoch: this.knownEpoch });
  }

  private isSelf(allocation: ShardAllocation): boolean {
    const { node } = allocation.primary;
    return node.address === this.selfAddress && node.uid === this.host?.selfNode.uid;
  }

  private hosting(): boolean {
    const role = this.options.role;
    return this.leaveDone === undefined && (role === undefined || (this.host?.hasRole(role) ?? false));
  }

  /** A coordination message that names a node which is no address is dropped (a dead letter), never acted on. */
  private coordinationFrom(message: Coordination): void {
    const problem = coordinationProblem(message);
    if (problem === undefined) return this.coordination(message);
    this.ctx.log.warn(`dropped a coordination message: ${problem}`);
    this.ctx.system.deadLetter(message, this.ctx.self, problem);
  }

  private coordination(message: Coordination): void {
    switch (message.$type) {
      case TYPE.homes:
        this.registered = true;
        for (const home of message.homes) this.applyHome(home.shardId, allocationOf(home), home.epoch);
        this.checkLeft();
        return;
      case TYPE.handOff:
        this.handOff(message.shardId);
        return;
      default:
        if (this.coordinator !== undefined) this.coordinator.receive(message);
        else this.ctx.log.debug(`dropped ${message.$type}: this node does not run the coordinator`);
    }
  }

  private applyHome(id: number, allocation: ShardAllocation | undefined, epoch: bigint): void {
    const known = this.allocations[id];
    if (known !== undefined && known.primary.epoch > epoch) {
      this.reroutePending(id); // the answer is older than what we know: what waited goes by our table
      return;
    }
    if (epoch > this.knownEpoch) this.knownEpoch = epoch;
    this.allocations[id] = allocation;
    this.replication?.allocationChanged(id, allocation);
    this.requested.delete(id);
    const shard = this.shards[id];
    let rerouted: readonly ShardEnvelope<M>[] = [];
    if (allocation !== undefined && this.isSelf(allocation)) {
      this.remote[id] = undefined;
      if (shard === undefined) this.localShard(id);
      else if (shard.status.kind === "handingOff" && shard.status.reportedAt !== undefined) rerouted = shard.activate();
    } else {
      const owner = allocation === undefined ? undefined : ownerOf(allocation);
      // a home at this address but of an earlier incarnation is no home: the coordinator is asked again
      this.remote[id] = owner === undefined || owner === this.selfAddress ? undefined : this.peer(owner);
      if (shard !== undefined) {
        // someone else owns it now: one writer only
        this.shards[id] = undefined;
        rerouted = shard.release();
        if (shard.entities.size > 0) this.retiring.set(id, shard);
      }
    }
    for (const envelope of rerouted) this.route(envelope);
    this.reroutePending(id);
  }

  private reroutePending(id: number): void {
    const waiting = this.pending.get(id);
    if (waiting === undefined) return;
    this.pending.delete(id);
    for (const envelope of this.budget.release(waiting)) this.route(envelope);
  }

  private handOff(id: number): void {
    const current = this.shards[id];
    if (current?.status.kind === "handingOff") return;
    const allocation = this.allocations[id];
    if (allocation !== undefined && this.isSelf(allocation)) this.allocations[id] = undefined;
    const shard = this.localShard(id);
    this.handOffs++;
    if (shard.handOff()) this.reportStopped(shard);
  }

  private reportStopped(shard: Shard<M>): void {
    const status = shard.status;
    if (status.kind !== "handingOff" || status.reportedAt !== undefined) return;
    status.reportedAt = this.ticks;
    this.toCoordinator({ $type: TYPE.stopped, shardId: shard.id, node: this.selfAddress });
  }

  private clusterEvent(event: ClusterEvent): void {
    if (event instanceof LeaderChanged) {
      this.leader = event.address;
      if (event.address === this.selfAddress) this.coordinator ??= this.startCoordinator(this.host!);
      else this.coordinator = undefined;
      this.registered = false;
      this.register();
      this.reportProgress(true); // a new coordinator learns at once which shards this node holds replicas of
    } else if (event instanceof MemberRemoved) {
      // not at MemberDowned: the downed node may still run its entities until it learns it is out (as Akka)
      const node = event.address;
      this.coordinator?.memberGone(node);
      this.allocations.forEach((allocation, id) => {
        if (allocation === undefined || ownerOf(allocation) !== node) return;
        this.allocations[id] = undefined;
        this.remote[id] = undefined;
      });
      this.peers.delete(node);
    }
  }

  private startCoordinator(host: RegionHost): ShardCoordinator {
    return new ShardCoordinator(
      {
        log: this.ctx.log,
        now: () => this.ctx.system.scheduler.now(),
        upMembers: () => host.upMembers(),
        unreachableMembers: () => host.unreachableMembers(),
        send: (node, message) => this.peer(node).tell(message),
        rebalancing: () => this.rebalances++,
      },
      { ...this.options, replicas: this.options.replication?.replicas },
    );
  }

  /** The replication extension attached to this region, when the option asks for it. */
  private attachReplication(host: RegionHost): RegionReplication | undefined {
    const options = this.options.replication;
    if (options === undefined) return undefined;
    const ctx = this.ctx;
    return ctx.system.extension(ShardReplicationId).attach({
      ref: ctx.self,
      path: ctx.self.path,
      selfNode: host.selfNode,
      numShards: this.options.numShards,
      options,
      factory: this.factory as (entityId: string) => Behavior<unknown>,
      log: ctx.log,
      allocation: (shard) => this.allocations[shard],
    });
  }

  /** Tells the coordinator how far this node's replicas got (for promotions). */
  private reportProgress(all: boolean): void {
    const shards = this.replication?.progress(all);
    if (shards !== undefined && shards.length > 0) this.toCoordinator({ $type: TYPE.progress, node: this.selfAddress, shards });
  }

  // ---- leaving ----

  private beginLeave(done: () => void): void {
    this.leaveDone = done;
    this.ctx.log.info(`region ${this.ctx.self.path} hands off its shards before ${this.selfAddress} leaves`);
    this.toCoordinator({ $type: TYPE.gracefulShutdown, node: this.selfAddress });
    this.checkLeft();
  }

  private checkLeft(): void {
    if (this.leaveDone === undefined) return;
    const owns = this.allocations.some((a) => a !== undefined && this.isSelf(a)) || this.shards.some((s) => s !== undefined) || this.retiring.size > 0;
    if (!owns) {
      this.leaveDone();
      this.leaveDone = () => undefined;
    }
  }

  // ---- periodic ----

  private tick(): void {
    this.ticks++;
    if (this.host !== undefined) {
      if (!this.registered) this.register();
      for (const shard of this.pending.keys()) this.requestHome(shard);
      for (const shard of this.shards) {
        // the report (or the answer) may be lost, e.g. when the leader changed meanwhile
        const status = shard?.status;
        if (status?.kind !== "handingOff" || status.reportedAt === undefined || this.ticks - status.reportedAt < REQUEST_RETRY_TICKS) continue;
        status.reportedAt = this.ticks;
        this.toCoordinator({ $type: TYPE.stopped, shardId: shard!.id, node: this.selfAddress });
      }
      if (this.coordinator !== undefined && this.ticks % Math.max(1, Math.round(this.options.rebalanceInterval / TICK_MS)) === 0) {
        this.coordinator.rebalance();
      }
      if (this.ticks % 5 === 0) this.reportProgress(this.ticks % 50 === 0);
      if (this.leaveDone !== undefined && this.ticks % 10 === 0) this.toCoordinator({ $type: TYPE.gracefulShutdown, node: this.selfAddress });
    }
    const idleTicks = this.options.passivateAfter === undefined ? undefined : Math.ceil(this.options.passivateAfter / TICK_MS);
    // scanning every entity is O(entities): a few times per idle period is precise enough
    if (idleTicks !== undefined && this.ticks % Math.max(1, Math.floor(idleTicks / 4)) === 0) {
      for (const shard of this.shards) shard?.passivateIdle(this.ticks, idleTicks);
    }
    this.logOwnership();
  }

  private logOwnership(): void {
    if (this.ticks % 20 !== 0) return;
    const { shards, entities } = this.stats();
    if (shards.length === this.lastLoggedShards) return;
    this.lastLoggedShards = shards.length;
    this.ctx.log.info(`region ${this.ctx.self.path} on ${this.selfAddress} owns ${shards.length} shards, ${entities} entities`);
  }
}
