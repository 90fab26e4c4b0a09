import { routeOn } from "../actor/internal.js";
import type { ActorRef } from "../actor/ref.js";
import type { BufferBudget } from "./buffer-budget.js";
import type { ShardEnvelope } from "./envelope.js";

/** An entity runs, or stops (passivation, handoff) while the messages that reach it wait. */
export type EntityState<M> = RunningEntity<M> | { readonly kind: "stopping"; readonly ref: ActorRef<M>; readonly buffer: ShardEnvelope<M>[] };

export interface RunningEntity<M> {
  readonly kind: "running";
  readonly ref: ActorRef<M>;
  lastTick: number;
  /** The region whose `running` holds it, until it stops (a route remembered elsewhere checks this). */
  region: ShardHost<M> | undefined;
}

/**
 * A shard delivers to its entities, hands off (entities stop, messages wait for the new home), or is
 * released (its home is elsewhere; the entities still running stop).
 */
export type ShardStatus<M> =
  | { readonly kind: "active" }
  | { readonly kind: "handingOff"; readonly buffer: ShardEnvelope<M>[]; reportedAt: number | undefined }
  | { readonly kind: "released" };

const ACTIVE: ShardStatus<never> = { kind: "active" };
const RELEASED: ShardStatus<never> = { kind: "released" };

/** What a shard needs from its region. */
export interface ShardHost<M> {
  readonly budget: BufferBudget;
  /**
   * The running entities of every shard of the region, by id, kept by the shards: the region's
   * routing delivers to them first (a running entity's shard is active, so no more is needed).
   */
  readonly running: Map<string, RunningEntity<M>>;
  /** Starts (and watches) the entity `id`. */
  startEntity(id: string): ActorRef<M>;
  /** Stops an entity after the messages already in its mailbox. */
  stopEntity(ref: ActorRef<M>): void;
}

/** The entities of one shard on this node. */
export class Shard<M> {
  readonly entities = new Map<string, EntityState<M>>();
  status: ShardStatus<M> = ACTIVE;

  constructor(
    readonly id: number,
    private readonly host: ShardHost<M>,
  ) {}

  get isActive(): boolean {
    return this.status === ACTIVE;
  }

  /** An envelope for this shard (active or handing off). */
  deliver(envelope: ShardEnvelope<M>, tick: number): void {
    const status = this.status;
    if (status.kind === "handingOff") {
      this.host.budget.push(status.buffer, envelope);
      return;
    }
    const entity = this.entities.get(envelope.entityId);
    if (entity === undefined) {
      const ref = this.host.startEntity(envelope.entityId);
      const running: RunningEntity<M> = { kind: "running", ref, lastTick: tick, region: this.host };
      this.entities.set(envelope.entityId, running);
      this.host.running.set(envelope.entityId, running);
      routeOn(ref, envelope.message);
    } else if (entity.kind === "running") {
      entity.lastTick = tick;
      routeOn(entity.ref, envelope.message);
    } else this.host.budget.push(entity.buffer, envelope);
  }

  /** Stops a running entity; what reaches it meanwhile waits and starts it again. */
  passivate(id: string, ref: ActorRef<never>): void {
    const entity = this.entities.get(id);
    if (entity?.kind !== "running" || !entity.ref.equals(ref)) return;
    this.stop(id, entity);
  }

  /** Stops entities running longer than `idleTicks` without a message. */
  passivateIdle(tick: number, idleTicks: number): void {
    for (const [id, entity] of this.entities) if (entity.kind === "running" && tick - entity.lastTick >= idleTicks) this.stop(id, entity);
  }

  /** Starts a handoff: entities stop, messages wait. True when no entity runs (it can report at once). */
  handOff(): boolean {
    if (this.status.kind !== "handingOff") this.status = { kind: "handingOff", buffer: [], reportedAt: undefined };
    this.stopAll();
    return this.entities.size === 0;
  }

  /** Its home is elsewhere now: the entities stop (one writer only); returns the handoff's buffer, if any. */
  release(): readonly ShardEnvelope<M>[] {
    const status = this.status;
    this.status = RELEASED;
    this.stopAll();
    return status.kind === "handingOff" ? this.host.budget.release(status.buffer) : [];
  }

  /** Its home is this node again. */
  activate(): readonly ShardEnvelope<M>[] {
    const status = this.status;
    this.status = ACTIVE;
    return status.kind === "handingOff" ? this.host.budget.release(status.buffer) : [];
  }

  /**
   * The entity `id` terminated: returns the messages that waited for it (to deliver again). During a
   * handoff they join the shard's buffer instead.
   */
  entityStopped(id: string, ref: ActorRef<never>): readonly ShardEnvelope<M>[] {
    const entity = this.entities.get(id);
    if (entity === undefined || !entity.ref.equals(ref)) return [];
    this.entities.delete(id);
    if (entity.kind === "running") {
      this.forget(id, entity);
      return [];
    }
    const status = this.status;
    if (status.kind === "handingOff") {
      for (const envelope of entity.buffer) status.buffer.push(envelope); // already counted in the budget
      return [];
    }
    return this.host.budget.release(entity.buffer);
  }

  /** Every message this shard holds, leaving it (for dead letters when the region stops). */
  drain(): ShardEnvelope<M>[] {
    const held: ShardEnvelope<M>[] = [];
    for (const [id, entity] of this.entities) {
      if (entity.kind === "stopping") held.push(...this.host.budget.release(entity.buffer));
      else this.forget(id, entity);
    }
    if (this.status.kind === "handingOff") held.push(...this.host.budget.release(this.status.buffer));
    this.entities.clear();
    return held;
  }

  private stopAll(): void {
    for (const [id, entity] of this.entities) if (entity.kind === "running") this.stop(id, entity);
  }

  private stop(id: string, entity: RunningEntity<M>): void {
    this.forget(id, entity);
    this.entities.set(id, { kind: "stopping", ref: entity.ref, buffer: [] });
    this.host.stopEntity(entity.ref);
  }

  /** The entity no longer runs: out of the region's `running`, and no remembered route leads to it. */
  private forget(id: string, entity: RunningEntity<M>): void {
    entity.region = undefined;
    this.host.running.delete(id);
  }
}
