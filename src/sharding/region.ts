import { LocalBehaviors, type Behavior } from "../actor/behavior.js";
import type { ActorContext } from "../actor/api.js";
import { stopAfterPending } from "../actor/internal.js";
import type { ActorRef } from "../actor/ref.js";
import { Terminated } from "../actor/terminated.js";
import { ClusteredActorSystem } from "../cluster/clustered-system.js";
import { ClusterEvent, LeaderChanged, MemberDowned, MemberRemoved } from "../cluster/events.js";
import type { Home } from "./allocation.js";
import { ShardCoordinator } from "./coordinator.js";
import { Passivate, ShardEnvelope } from "./envelope.js";
import type { ResolvedShardingOptions } from "./options.js";
import { isCoordination, registerCoordination, TYPE, type Coordination } from "./protocol.js";
import { shardOf } from "./shard-id.js";

/** Internal messages of a region besides envelopes, coordination and cluster events. */
class Tick {}
class BeginLeave {
  constructor(readonly done: () => void) {}
}
const TICK = new Tick();
const TICK_MS = 100;
/** Ticks before a shard home is asked for again. */
const REQUEST_RETRY_TICKS = 3;

export type RegionMessage<M> = ShardEnvelope<M> | Coordination | ClusterEvent | Terminated | Passivate | Tick | BeginLeave;

interface Entity<M> {
  readonly ref: ActorRef<M>;
  readonly shard: number;
  lastTick: number;
  /** Messages that arrived while it was stopping (passivation): they start it again. */
  buffer: M[] | undefined;
}

/** A shard this region hands off: its entities stop, then its messages wait for the new home. */
interface HandOffState<M> {
  readonly buffer: ShardEnvelope<M>[];
  /** ShardStopped was sent (at tick `reportedAt`; repeated until a home arrives). */
  reported: boolean;
  reportedAt: number;
}

/** What a region knows about sharding statistics, for introspection. */
export interface RegionStats {
  readonly node: string;
  /** Shards this node owns. */
  readonly shards: readonly number[];
  /** Entities running on this node. */
  readonly entities: number;
  /** Where every shard this region knows of lives: node → shard ids (the coordinator's allocation as seen here). */
  readonly allocation: ReadonlyMap<string, readonly number[]>;
}

const regions = new WeakMap<ActorRef<never>, ShardRegion<unknown>>();

/** Statistics of the region behind `ref` (a ref returned by spawning `Behaviors.sharded`), on this node. */
export function regionStats(ref: ActorRef<never>): RegionStats | undefined {
  return regions.get(ref)?.stats();
}

/**
 * The shard region of one entity type on one node: routes envelopes to the entity's home (locally
 * without serialization, else in one hop to the owning node's region), runs the entities of the shards
 * it owns, hands shards off when asked, and, on the leader, runs the coordinator.
 */
export function shardRegion<M>(factory: (entityId: string) => Behavior<M>, options: ResolvedShardingOptions): Behavior<RegionMessage<M>> {
  return LocalBehaviors.setup<RegionMessage<M>>((ctx) => {
    const region = new ShardRegion(ctx, factory, options);
    return LocalBehaviors.withLifecycle(
      LocalBehaviors.receive<RegionMessage<M>>((_ctx, message) => {
        region.receive(message);
        return LocalBehaviors.same();
      }),
      { postStop: () => region.stopped() },
    );
  });
}

class ShardRegion<M> {
  private readonly cluster: ClusteredActorSystem | undefined;
  private readonly selfNode: string;
  private readonly homes = new Map<number, Home>();
  private readonly pending = new Map<number, ShardEnvelope<M>[]>();
  /** Envelopes waiting in `pending` and in the buffers of shards handed off (bounded by bufferSize). */
  private buffered = 0;
  private readonly requested = new Map<number, number>();
  private readonly entities = new Map<string, Entity<M>>();
  private readonly byShard = new Map<number, Set<string>>();
  /** Shards being handed off: their entities stop, their messages wait here for the new home. */
  private readonly handingOff = new Map<number, HandOffState<M>>();
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

  constructor(
    private readonly ctx: ActorContext<RegionMessage<M>>,
    private readonly factory: (entityId: string) => Behavior<M>,
    private readonly options: ResolvedShardingOptions,
  ) {
    this.cluster = ctx.system instanceof ClusteredActorSystem ? ctx.system : undefined;
    this.selfNode = this.cluster?.selfAddress ?? "local";
    regions.set(ctx.self as ActorRef<never>, this as ShardRegion<unknown>);
    ctx.startTimer("tick", TICK, TICK_MS);
    const cluster = this.cluster;
    if (cluster === undefined) return;
    registerCoordination(cluster.serialization);
    cluster.serialization.registerClass(ShardEnvelope, "casty.ShardEnvelope");
    this.cleanups.push(
      cluster.cluster.subscribe(ClusterEvent, (event) => ctx.self.tell(event)),
      cluster.addLeaveTask(
        () =>
          new Promise<void>((resolve) => {
            const scheduler = ctx.system.scheduler;
            const timer = scheduler.setTimeout(resolve, options.handOffTimeout);
            ctx.self.tell(new BeginLeave(() => (scheduler.clearTimeout(timer), resolve())));
          }),
      ),
    );
  }

  receive(message: RegionMessage<M>): void {
    if (message instanceof ShardEnvelope) this.route(message);
    else if (message instanceof Tick) this.tick();
    else if (message instanceof Terminated) this.entityTerminated(message.ref);
    else if (message instanceof Passivate) this.passivate(message.entity);
    else if (message instanceof ClusterEvent) this.clusterEvent(message);
    else if (message instanceof BeginLeave) this.beginLeave(message.done);
    else if (isCoordination(message)) this.coordination(message);
    else this.ctx.log.warn(`region got an unexpected message: ${String(message)}`);
  }

  stopped(): void {
    for (const cleanup of this.cleanups) cleanup();
    this.leaveDone?.();
    const undelivered = [...this.pending.values(), ...[...this.handingOff.values()].map((h) => h.buffer)].flat();
    for (const envelope of undelivered) this.ctx.system.deadLetter(envelope, this.ctx.self as ActorRef<never>, "shard region stopped");
  }

  stats(): RegionStats {
    const shards = this.cluster === undefined ? [...this.byShard.keys()] : [...this.homes].filter(([, h]) => h.node === this.selfNode).map(([s]) => s);
    const allocation = new Map<string, number[]>();
    for (const [shard, { node }] of this.homes) {
      const ids = allocation.get(node);
      if (ids === undefined) allocation.set(node, [shard]);
      else ids.push(shard);
    }
    if (this.cluster === undefined) allocation.set(this.selfNode, [...shards]);
    for (const ids of allocation.values()) ids.sort((a, b) => a - b);
    return { node: this.selfNode, shards: shards.sort((a, b) => a - b), entities: this.entities.size, allocation };
  }

  // ---- routing ----

  private route(envelope: ShardEnvelope<M>): void {
    const shard = shardOf(envelope.entityId, this.options.numShards);
    const handoff = this.handingOff.get(shard);
    if (handoff !== undefined) {
      this.buffer(handoff.buffer, envelope);
      return;
    }
    if (this.cluster === undefined) {
      this.deliverLocally(shard, envelope);
      return;
    }
    const home = this.homes.get(shard);
    if (home === undefined) {
      let waiting = this.pending.get(shard);
      if (waiting === undefined) this.pending.set(shard, (waiting = []));
      this.buffer(waiting, envelope);
      this.requestHome(shard);
    } else if (home.node === this.selfNode) this.deliverLocally(shard, envelope);
    else this.peer(home.node).tell(envelope);
  }

  private buffer(buffer: ShardEnvelope<M>[], envelope: ShardEnvelope<M>): void {
    if (this.buffered >= this.options.bufferSize) {
      this.ctx.system.deadLetter(envelope, this.ctx.self as ActorRef<never>, "shard region buffer is full");
      return;
    }
    buffer.push(envelope);
    this.buffered++;
  }

  private deliverLocally(shard: number, envelope: ShardEnvelope<M>): void {
    const id = envelope.entityId;
    let entity = this.entities.get(id);
    if (entity === undefined) entity = this.startEntity(id, shard);
    else if (entity.buffer !== undefined) {
      entity.buffer.push(envelope.message);
      return;
    }
    entity.lastTick = this.ticks;
    entity.ref.tell(envelope.message);
  }

  private startEntity(id: string, shard: number): Entity<M> {
    const ref = this.ctx.spawn(this.factory(id), encodeURIComponent(id));
    this.ctx.watch(ref as ActorRef<never>);
    const entity: Entity<M> = { ref, shard, lastTick: this.ticks, buffer: undefined };
    this.entities.set(id, entity);
    let ids = this.byShard.get(shard);
    if (ids === undefined) this.byShard.set(shard, (ids = new Set()));
    ids.add(id);
    return entity;
  }

  private entityTerminated(ref: ActorRef<never>): void {
    const id = decodeURIComponent(ref.path.slice(ref.path.lastIndexOf("/") + 1));
    const entity = this.entities.get(id);
    if (entity === undefined || !entity.ref.equals(ref)) return;
    this.entities.delete(id);
    const ids = this.byShard.get(entity.shard)!;
    ids.delete(id);
    if (ids.size === 0) this.byShard.delete(entity.shard);
    const handoff = this.handingOff.get(entity.shard);
    if (handoff !== undefined) {
      for (const message of entity.buffer ?? []) handoff.buffer.push(new ShardEnvelope(id, message)); // accepted already: not dropped
      this.buffered += entity.buffer?.length ?? 0;
      if (ids.size === 0) this.reportStopped(entity.shard, handoff);
      return;
    }
    if (entity.buffer !== undefined && entity.buffer.length > 0) {
      for (const message of entity.buffer) this.route(new ShardEnvelope(id, message));
    }
  }

  private passivate(ref: ActorRef<never>): void {
    const id = decodeURIComponent(ref.path.slice(ref.path.lastIndexOf("/") + 1));
    const entity = this.entities.get(id);
    if (entity === undefined || entity.buffer !== undefined || !entity.ref.equals(ref)) return;
    entity.buffer = [];
    stopAfterPending(entity.ref as ActorRef<never>); // after the messages already delivered
  }

  // ---- coordination ----

  private peer(node: string): ActorRef<RegionMessage<M>> {
    let ref = this.peers.get(node);
    if (ref === undefined) {
      ref = node === this.selfNode ? this.ctx.self : this.cluster!.refFor<RegionMessage<M>>(`casty://${this.ctx.system.name}@${node}${this.ctx.self.path}`);
      this.peers.set(node, ref);
    }
    return ref;
  }

  private toCoordinator(message: Coordination): void {
    if (this.leader !== undefined) this.peer(this.leader).tell(message);
  }

  private requestHome(shard: number): void {
    const last = this.requested.get(shard);
    if (last !== undefined && this.ticks - last < REQUEST_RETRY_TICKS) return;
    this.requested.set(shard, this.ticks);
    this.toCoordinator({ $type: TYPE.getHome, shardId: shard, node: this.selfNode });
  }

  private register(): void {
    if (this.leader === undefined) return;
    const owned = [...this.homes].filter(([, h]) => h.node === this.selfNode).map(([shardId, h]) => ({ shardId, node: h.node, epoch: h.epoch }));
    this.toCoordinator({ $type: TYPE.register, node: this.selfNode, hosting: this.hosting(), owned, knownEpoch: this.knownEpoch });
  }

  private hosting(): boolean {
    const role = this.options.role;
    return this.leaveDone === undefined && (role === undefined || (this.cluster?.cluster.selfMember?.roles.includes(role) ?? false));
  }

  private coordination(message: Coordination): void {
    switch (message.$type) {
      case TYPE.homes:
        this.registered = true;
        for (const home of message.homes) this.applyHome(home.shardId, { node: home.node, epoch: home.epoch });
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

  private applyHome(shard: number, home: Home): void {
    const known = this.homes.get(shard);
    if (known !== undefined && known.epoch > home.epoch) return;
    if (home.epoch > this.knownEpoch) this.knownEpoch = home.epoch;
    if (home.node === "") this.homes.delete(shard); // unallocated
    else this.homes.set(shard, home);
    this.requested.delete(shard);
    if (home.node !== this.selfNode) this.stopShard(shard); // someone else owns it now: one writer only
    const handoff = this.handingOff.get(shard);
    if (handoff !== undefined && (home.node !== this.selfNode || handoff.reported)) {
      this.handingOff.delete(shard);
      this.buffered -= handoff.buffer.length;
      for (const envelope of handoff.buffer) this.route(envelope);
    }
    const waiting = this.pending.get(shard);
    if (waiting !== undefined) {
      this.pending.delete(shard);
      this.buffered -= waiting.length;
      for (const envelope of waiting) this.route(envelope);
    }
  }

  private handOff(shard: number): void {
    if (this.handingOff.has(shard)) return;
    const handoff: HandOffState<M> = { buffer: [], reported: false, reportedAt: 0 };
    this.handingOff.set(shard, handoff);
    if (this.homes.get(shard)?.node === this.selfNode) this.homes.delete(shard);
    if (!this.stopShard(shard)) this.reportStopped(shard, handoff);
  }

  /** Stops the entities of a shard; false when none runs. */
  private stopShard(shard: number): boolean {
    const ids = this.byShard.get(shard);
    if (ids === undefined || ids.size === 0) return false;
    for (const id of ids) {
      const entity = this.entities.get(id)!;
      if (entity.buffer !== undefined) continue; // already stopping
      entity.buffer = [];
      stopAfterPending(entity.ref as ActorRef<never>);
    }
    return true;
  }

  private reportStopped(shard: number, handoff: HandOffState<M>): void {
    if (handoff.reported) return;
    handoff.reported = true;
    handoff.reportedAt = this.ticks;
    this.toCoordinator({ $type: TYPE.stopped, shardId: shard, node: this.selfNode });
  }

  private clusterEvent(event: ClusterEvent): void {
    if (event instanceof LeaderChanged) {
      this.leader = event.address;
      if (event.address === this.selfNode) {
        this.coordinator ??= new ShardCoordinator(
          {
            log: this.ctx.log,
            now: () => this.ctx.system.scheduler.now(),
            upMembers: () => new Set(this.cluster!.cluster.state.members.filter((m) => m.status === "up").map((m) => m.address)),
            send: (node, message) => this.peer(node).tell(message),
          },
          this.options,
        );
      } else this.coordinator = undefined;
      this.registered = false;
      this.register();
    } else if (event instanceof MemberRemoved || event instanceof MemberDowned) {
      const node = event.address;
      this.coordinator?.memberGone(node);
      for (const [shard, home] of this.homes) if (home.node === node) this.homes.delete(shard);
      this.peers.delete(node);
    }
  }

  // ---- leaving ----

  private beginLeave(done: () => void): void {
    this.leaveDone = done;
    this.ctx.log.info(`region ${this.ctx.self.path} hands off its shards before ${this.selfNode} leaves`);
    this.toCoordinator({ $type: TYPE.gracefulShutdown, node: this.selfNode });
    this.checkLeft();
  }

  private checkLeft(): void {
    if (this.leaveDone === undefined) return;
    const owns = [...this.homes.values()].some((h) => h.node === this.selfNode) || this.handingOff.size > 0 || this.entities.size > 0;
    if (!owns) {
      this.leaveDone();
      this.leaveDone = () => undefined;
    }
  }

  // ---- periodic ----

  private tick(): void {
    this.ticks++;
    if (this.cluster !== undefined) {
      if (!this.registered) this.register();
      for (const shard of this.pending.keys()) this.requestHome(shard);
      for (const [shard, handoff] of this.handingOff) {
        // the report (or the answer) may be lost, e.g. when the leader changed meanwhile
        if (!handoff.reported || this.ticks - handoff.reportedAt < REQUEST_RETRY_TICKS) continue;
        handoff.reportedAt = this.ticks;
        this.toCoordinator({ $type: TYPE.stopped, shardId: shard, node: this.selfNode });
      }
      if (this.coordinator !== undefined && this.ticks % Math.max(1, Math.round(this.options.rebalanceInterval / TICK_MS)) === 0) {
        this.coordinator.rebalance();
      }
      if (this.leaveDone !== undefined && this.ticks % 10 === 0) this.toCoordinator({ $type: TYPE.gracefulShutdown, node: this.selfNode });
    }
    const idleTicks = this.options.passivateAfter === undefined ? undefined : Math.ceil(this.options.passivateAfter / TICK_MS);
    // scanning every entity is O(entities): a few times per idle period is precise enough
    if (idleTicks !== undefined && this.ticks % Math.max(1, Math.floor(idleTicks / 4)) === 0) {
      for (const entity of this.entities.values()) {
        if (entity.buffer === undefined && this.ticks - entity.lastTick >= idleTicks) this.passivate(entity.ref as ActorRef<never>);
      }
    }
    this.logOwnership();
  }

  private logOwnership(): void {
    if (this.ticks % 20 !== 0) return;
    const owned = this.stats().shards.length;
    if (owned === this.lastLoggedShards) return;
    this.lastLoggedShards = owned;
    this.ctx.log.info(`region ${this.ctx.self.path} on ${this.selfNode} owns ${owned} shards, ${this.entities.size} entities`);
  }
}
