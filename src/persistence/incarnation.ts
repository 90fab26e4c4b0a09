import { LocalBehaviors, Tag, type Behavior, type Next } from "../actor/behavior.js";
import type { ActorContext } from "../actor/api.js";
import { SerializationError } from "../serialization/index.js";
import { PersistEffect, type CommandEffect } from "./effect.js";
import { JournalConflictError, PersistFailedError, RecoveryFailedError, rejected } from "./errors.js";
import type { EventSourcedOptions } from "./event-sourced-options.js";
import { Signal } from "./signals.js";
import { Stash } from "./stash.js";

/** What an effect leads to: `undefined` = keep running with the current state. */
export type Outcome<C> = Behavior<C> | undefined;

/**
 * One life of an event-sourced entity (from its start or restart to its stop): its options, stash and
 * writer identity, shared by the phases (replaying snapshot → replaying events → running ⇄ persisting).
 */
export class Incarnation<C, E, S> {
  readonly stash: Stash<C>;
  readonly writerUid: string;

  constructor(
    readonly ctx: ActorContext<C>,
    readonly options: EventSourcedOptions<C, E, S>,
  ) {
    this.stash = new Stash(ctx, options.stashCapacity ?? 4096);
    this.writerUid = Math.floor(ctx.system.scheduler.random() * 2 ** 52).toString(36);
  }

  get entityId(): string {
    return this.options.entityId;
  }

  /** Runs a journal call and tells self the outcome, mapped to a signal of this incarnation. */
  signal<T>(call: () => Promise<T>, onOk: (value: T) => Signal, onError: (error: unknown) => Signal): void {
    let promise: Promise<T>;
    try {
      promise = call();
    } catch (error) {
      promise = rejected(error);
    }
    this.ctx.pipeToSelf(promise, onOk as (value: T) => C, onError as (error: unknown) => C);
  }

  /** A phase waiting for a journal call: commands are stashed, late signals of older lives dropped. */
  waiting(onSignal: (signal: Signal) => Next<C> | undefined): Behavior<C> {
    return LocalBehaviors.receive((_ctx, message) => {
      if (!(message instanceof Signal)) {
        this.stash.add(message);
        return LocalBehaviors.same();
      }
      return (message.owner === this ? onSignal(message) : undefined) ?? LocalBehaviors.same();
    });
  }

  /** What a behaviour from `onCommand` or `then` means; throws for ones an entity cannot become. */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- `then` may return nothing (= same)
  outcome(command: C, effect: CommandEffect<C, E, S> | Behavior<C> | void): Outcome<C> | PersistEffect<C, E, S> {
    if (effect instanceof PersistEffect) return effect;
    switch (effect?.tag ?? Tag.same) {
      case Tag.same:
        return undefined;
      case Tag.unhandled:
        this.ctx.system.unhandled(command, this.ctx.self);
        return undefined;
      case Tag.stopped:
        this.stash.dropAll("the entity stopped");
        return effect as Behavior<C>;
      default:
        throw new TypeError(`entity ${JSON.stringify(this.entityId)}: onCommand answers Behaviors.persisted(…), same(), stopped() or unhandled()`);
    }
  }

  /** Recovery could not complete: fail (supervision decides), handing the stash to dead letters. */
  recoveryFailed(error: unknown): never {
    this.stash.dropAll("the entity failed to recover");
    throw new RecoveryFailedError(this.entityId, error);
  }

  /** A write failed: nothing was applied. A second writer stops the entity; any other error fails it. */
  writeFailed(error: unknown): Behavior<C> {
    this.stash.dropAll("the entity's write failed");
    if (error instanceof JournalConflictError) {
      this.ctx.log.error(`${error.message}: stopping this incarnation`);
      return LocalBehaviors.stopped();
    }
    if (error instanceof SerializationError) throw new SerializationError(`entity ${JSON.stringify(this.entityId)}: ${error.message}`, { cause: error });
    throw new PersistFailedError(this.entityId, error);
  }

  /** After a persist from `fromSeqNr` to `toSeqNr`: saves a snapshot when the policy asks (best effort). */
  maybeSnapshot(fromSeqNr: number, toSeqNr: number, state: S): void {
    if (this.options.snapshotPolicy?.shouldSnapshot(fromSeqNr, toSeqNr) !== true) return;
    let saving: Promise<void>;
    try {
      saving = this.options.journal.saveSnapshot(this.entityId, toSeqNr, state);
    } catch (error) {
      saving = rejected(error);
    }
    saving.catch((error: unknown) => this.ctx.log.warn(`entity ${JSON.stringify(this.entityId)}: snapshot at ${toSeqNr} not saved: ${String(error)}`));
  }
}
