import type { ActorRef, DeathWatcher } from "../api.js";
import type { Logger } from "../logger.js";
import { LocalActorRef, type KeyedRoute, type LocalCell } from "../local-ref.js";
import type { Queue } from "../queue.js";
import type { TimerHandle } from "../scheduler.js";
import type { CellHost } from "./host.js";

// Life-cycle states of a cell, in order: comparisons such as `state >= STOPPING` rely on it.
export const RUNNING = 0;
export const RESTARTING = 1;
export const STOPPING = 2;
export const TERMINATED = 3;

export interface OfferWaiter<M> {
  message: M;
  resolve(accepted: boolean): void;
}

/** Rarely used per-actor state, allocated on first use so idle actors stay small. */
export interface Extras<M> {
  restartTimes?: number[];
  waiters?: Queue<OfferWaiter<M>>;
  log?: Logger;
  onceTimers?: Set<TimerHandle>;
  afterChildren?: () => void;
  onTerminated?: (() => void)[];
}

/** What a cell needs of its parent. */
export interface ParentCell {
  readonly self: ActorRef<never>;
  childTerminated(child: { readonly name: string }): void;
  /** A child failed with `Directive.escalate`. */
  escalated(error: unknown): void;
}

/**
 * The state every part of a cell shares (identity, life-cycle state, rarely used extras) and the
 * one-step-at-a-time rule: while an async handler, setup or hook is in flight, nothing else runs.
 * The concerns build on it in layers, as Akka's `dungeon/`: timers, death watch, children, fault
 * handling, and on top the cell that dispatches messages.
 */
export abstract class CellCore<M> implements LocalCell<M>, DeathWatcher {
  readonly self: LocalActorRef<M>;
  protected state = RUNNING;
  /** An async handler, setup or hook is in flight: no other message runs meanwhile. */
  protected busy = false;
  protected extras: Extras<M> | undefined;
  /** @internal Set by `receiveInline`: routes messages within the sender's tell while the actor is idle. */
  inline: ((message: M) => boolean) | undefined;
  /** @internal Set by `receiveKeyedInline`: routes a keyed message from the wire without its wrapper. */
  keyedInline: KeyedRoute | undefined;

  constructor(
    readonly system: CellHost,
    /** @internal */ readonly parentCell: ParentCell | undefined,
    readonly name: string,
    path: string,
  ) {
    this.self = new LocalActorRef(path, this);
  }

  get isTerminated(): boolean {
    return this.state === TERMINATED;
  }

  /** @internal Queues a message; false when it became a dead letter. */
  abstract enqueue(message: M): boolean;
  abstract offer(message: M): Promise<boolean>;
  abstract receiveKeyedOffWire(key: string, message: unknown, known: object | undefined): object | undefined;
  abstract child(name: string): ActorRef<never> | undefined;
  abstract addWatcher(watcher: DeathWatcher): void;
  abstract removeWatcher(watcher: DeathWatcher): void;
  abstract notifyTerminated(ref: ActorRef<never>): void;
  /** @internal Runs the initial behaviour's setup and `preStart`. */
  abstract start(): void;
  /** @internal Stops the actor: children first, then `postStop`, then watchers hear `Terminated`. */
  abstract stopActor(): void;
  /** @internal Paths of the actors below (or at) this one that hold up its stop. */
  abstract holdingUp(into: string[], limit: number): string[];
  /** Schedules the cell on the dispatcher if it has messages and may run them. */
  protected abstract kick(): void;
  /** Applies the supervisor's directive to a failure. */
  protected abstract fail(error: unknown): void;

  /** Continues after an async step, unless the actor stopped meanwhile. */
  protected resume(step: () => void): void {
    this.busy = false;
    if (this.state < STOPPING) step();
    this.kick();
  }

  /** Runs `next` after a maybe-async step; the actor takes no message until both are done. */
  protected after(result: void | Promise<void>, next: () => void): void {
    if (!(result instanceof Promise)) {
      next();
      return;
    }
    this.busy = true;
    result.then(
      () => this.resume(() => this.guarded(next)),
      (error: unknown) => this.resume(() => this.fail(error)),
    );
  }

  protected guarded(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.fail(error);
    }
  }

  protected more(): Extras<M> {
    return (this.extras ??= {});
  }
}

export function noop(): void {}
