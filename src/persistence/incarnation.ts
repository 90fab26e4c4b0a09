import { LocalBehaviors, Tag, type Behavior } from "../actor/behavior.js";
import type { ActorContext } from "../actor/api.js";
import { SerializationError } from "../serialization/index.js";
import { PersistEffect, type CommandEffect } from "./effect.js";
import { JournalConflictError, PersistFailedError, rejected } from "./errors.js";
import type { EventSourcedOptions } from "./event-sourced-options.js";
import { persistHookOf, type PersistHook } from "./persist-hook.js";

/** What an effect leads to: `undefined` = keep running with the current state. */
export type Outcome<C> = Behavior<C> | undefined;

/**
 * One life of an event-sourced entity (from its start or restart to its stop): its options and writer
 * identity, shared by the phases (replaying snapshot → replaying events → running ⇄ persisting).
 */
export class Incarnation<C, E, S> {
  readonly writerUid: string;
  /** What watches this entity's persists besides the journal (replication), if anything. */
  readonly hook: PersistHook | undefined;

  constructor(
    readonly ctx: ActorContext<C>,
    readonly options: EventSourcedOptions<C, E, S>,
  ) {
    this.writerUid = Math.floor(ctx.system.scheduler.random() * 2 ** 52).toString(36);
    this.hook = persistHookOf(ctx);
  }

  get entityId(): string {
    return this.options.entityId;
  }

  /** What a behaviour from `onCommand` or `then` means; throws for ones an entity cannot become. */

  outcome(command: C, effect: CommandEffect<C, E, S> | Behavior<C> | void): Outcome<C> | PersistEffect<C, E, S> {
    if (effect instanceof PersistEffect) return effect;
    switch (effect?.tag ?? Tag.same) {
      case Tag.same:
        return undefined;
      case Tag.unhandled:
        this.ctx.system.unhandled(command, this.ctx.self);
        return undefined;
      case Tag.stopped:
        return effect as Behavior<C>;
      default:
        throw new TypeError(`entity ${JSON.stringify(this.entityId)}: onCommand answers Behaviors.persisted(…), same(), stopped() or unhandled()`);
    }
  }

  /** A write failed: nothing was applied. A second writer stops the entity; any other error fails it. */
  writeFailed(error: unknown): Behavior<C> {
    if (error instanceof JournalConflictError) {
      this.ctx.log.error(`${error.message}: stopping this incarnation`);
      return LocalBehaviors.stopped();
    }
    if (error instanceof SerializationError) throw new SerializationError(`entity ${JSON.stringify(this.entityId)}: ${error.message}`, { cause: error });
    throw new PersistFailedError(this.entityId, error);
  }

  /**
   * After a persist from `fromSeqNr` to `toSeqNr`: saves a snapshot when the policy asks, then deletes
   * what the policy's retention says it makes obsolete (best effort: a failure is logged).
   */
  maybeSnapshot(fromSeqNr: number, toSeqNr: number, state: S): void {
    const policy = this.options.snapshotPolicy;
    if (policy?.shouldSnapshot(fromSeqNr, toSeqNr) !== true) return;
    const { journal } = this.options;
    let saving: Promise<void>;
    try {
      saving = journal.saveSnapshot(this.entityId, toSeqNr, state);
    } catch (error) {
      saving = rejected(error);
    }
    saving
      .then(() => {
        const retention = policy.retention?.(toSeqNr);
        if (retention === undefined) return;
        const deletes: Promise<void>[] = [];
        if (retention.snapshotsTo > 0) deletes.push(journal.deleteSnapshots(this.entityId, retention.snapshotsTo));
        if (retention.eventsTo > 0) deletes.push(journal.deleteEvents(this.entityId, retention.eventsTo));
        return Promise.all(deletes);
      })
      .catch((error: unknown) => this.ctx.log.warn(`entity ${JSON.stringify(this.entityId)}: snapshot at ${toSeqNr} or its retention: ${String(error)}`));
  }
}
