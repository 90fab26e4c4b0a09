import {
  Tag,
  type Behavior,
  type LifecycleBehavior,
  type LifecycleHooks,
  type Next,
  type ReceiveBehavior,
  type SetupBehavior,
  type SuperviseBehavior,
} from "./behavior.js";
import type { ActorContext, AskOptions, Cancellable, SpawnOptions } from "./context.js";
import { DuplicateActorNameError, InvalidOptionError, requirePositive } from "./errors.js";
import { ActorRestarted } from "./events.js";
import { prefixed, type Logger } from "./logger.js";
import { MailboxOverflowStrategy, type Mailbox } from "./mailbox.js";
import { LocalActorRef } from "./local-ref.js";
import { validateActorName } from "./names.js";
import { Queue } from "./queue.js";
import { isWatchable, type ActorRef, type DeathWatcher, type ReplyOf } from "./ref.js";
import type { TimerHandle } from "./scheduler.js";
import { Directive, type SupervisorStrategy } from "./supervision.js";
import type { ActorSystem } from "./system.js";
import { Terminated } from "./terminated.js";

/** Queued by `stopAfterPending`: the cell stops when it reaches it, after what was queued before. */
const STOP_AFTER_PENDING = Symbol("stop after pending messages");

const RUNNING = 0;
const RESTARTING = 1;
const STOPPING = 2;
const TERMINATED = 3;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCell = ActorCell<any>;

interface OfferWaiter<M> {
  message: M;
  resolve(accepted: boolean): void;
}

/** Rarely used per-actor state, allocated on first use so idle actors stay small. */
interface Extras<M> {
  restartTimes?: number[];
  waiters?: Queue<OfferWaiter<M>>;
  log?: Logger;
  onceTimers?: Set<TimerHandle>;
  afterChildren?: () => void;
  onTerminated?: (() => void)[];
}

/**
 * One actor: its mailbox, current behaviour, children, watchers and timers. The cell is also the
 * `ActorContext` handed to behaviours. Messages run one at a time, also across async handlers.
 */
export class ActorCell<M> implements ActorContext<M>, DeathWatcher {
  readonly self: LocalActorRef<M>;
  private behavior: ReceiveBehavior<M> | undefined;
  private strategy: SupervisorStrategy | undefined;
  private hooks: LifecycleHooks<M> | undefined;
  private queue: Queue<M> | undefined;
  private state = RUNNING;
  private scheduled = false;
  /** An async handler, setup or hook is in flight: no other message runs meanwhile. */
  private busy = false;
  private childCells: Map<string, AnyCell> | undefined;
  private watchers: Set<DeathWatcher> | undefined;
  private watching: Set<ActorRef<never>> | undefined;
  private timers: Map<unknown, TimerHandle> | undefined;
  private extras: Extras<M> | undefined;

  constructor(
    readonly system: ActorSystem,
    private readonly parentCell: AnyCell | undefined,
    readonly name: string,
    path: string,
    private readonly initial: Behavior<M>,
    private readonly mailbox: Mailbox | undefined,
  ) {
    this.self = new LocalActorRef(path, this);
  }

  // ---- ActorContext ----

  get parent(): ActorRef<never> | undefined {
    return this.parentCell?.self;
  }

  get children(): readonly ActorRef<never>[] {
    return this.childCells === undefined ? [] : [...this.childCells.values()].map((c) => c.self);
  }

  get log(): Logger {
    const extras = this.more();
    return (extras.log ??= prefixed(this.system.log, `[${this.self.path}]`));
  }

  child(name: string): ActorRef<never> | undefined {
    return this.childCells?.get(name)?.self;
  }

  spawn<C>(behavior: Behavior<C>, name?: string, options?: SpawnOptions): ActorRef<C> {
    this.system.ensureRunning();
    if (this.state >= STOPPING) throw new Error(`cannot spawn a child of ${this.self.path}: it is stopping`);
    if (behavior === undefined || typeof behavior.tag !== "number") {
      throw new InvalidOptionError(`spawn needs a Behavior, got ${String(behavior)}`);
    }
    const childName = name === undefined ? this.system.nextName() : validateActorName(name);
    const children = (this.childCells ??= new Map());
    if (children.has(childName)) {
      throw new DuplicateActorNameError(`an actor named "${childName}" already exists under ${this.self.path}`);
    }
    const path = this.self.path === "/" ? `/${childName}` : `${this.self.path}/${childName}`;
    const cell = new ActorCell<C>(this.system, this, childName, path, behavior, options?.mailbox);
    children.set(childName, cell);
    cell.start();
    return cell.self;
  }

  stop(child: ActorRef<never>): void {
    const cell = child instanceof LocalActorRef ? (child.cell as AnyCell) : undefined;
    if (cell === undefined || cell.parentCell !== this) {
      throw new Error(`${child.path} is not a child of ${this.self.path}: an actor stops only its children (return Behaviors.stopped() to stop itself)`);
    }
    cell.stopActor();
  }

  watch(ref: ActorRef<never>): void {
    if (!isWatchable(ref)) throw new Error(`cannot watch ${ref.path}: its ref does not support death watch`);
    const watching = (this.watching ??= new Set());
    if (watching.has(ref)) return;
    watching.add(ref);
    ref.addWatcher(this);
  }

  unwatch(ref: ActorRef<never>): void {
    if (this.watching?.delete(ref) && isWatchable(ref)) ref.removeWatcher(this);
  }

  scheduleOnce<T>(delay: number, target: ActorRef<T>, message: T): Cancellable {
    const scheduler = this.system.scheduler;
    const timers = (this.more().onceTimers ??= new Set());
    const handle = scheduler.setTimeout(() => {
      timers.delete(handle);
      target.tell(message);
    }, delay);
    timers.add(handle);
    return {
      cancel: () => {
        if (timers.delete(handle)) scheduler.clearTimeout(handle);
      },
    };
  }

  startTimer(key: unknown, message: M, interval: number): void {
    requirePositive(interval, "timer interval");
    if (this.state >= STOPPING) return;
    this.cancelTimer(key);
    const timers = (this.timers ??= new Map());
    timers.set(key, this.system.scheduler.setInterval(() => this.enqueue(message), interval));
  }

  cancelTimer(key: unknown): void {
    const handle = this.timers?.get(key);
    if (handle === undefined) return;
    this.timers!.delete(key);
    this.system.scheduler.clearInterval(handle);
  }

  pipeToSelf<T>(promise: Promise<T>, onOk: (value: T) => M, onError: (error: unknown) => M): void {
    promise.then(
      (value) => this.tellMapped(() => onOk(value)),
      (error: unknown) => this.tellMapped(() => onError(error)),
    );
  }

  ask<const Req, Res = ReplyOf<Req>>(
    target: ActorRef<Req>,
    createRequest: (replyTo: ActorRef<Res>) => NoInfer<Req>,
    onReply: (reply: Res) => M,
    onError: (error: unknown) => M,
    options?: AskOptions,
  ): void {
    this.pipeToSelf(this.system.ask<Req, Res>(target, createRequest, options), onReply, onError);
  }

  // ---- mailbox ----

  /** @internal Queues a message; false when it became a dead letter. */
  enqueue(message: M): boolean {
    if (this.state === TERMINATED) {
      this.system.deadLetter(message, this.self);
      return false;
    }
    const queue = (this.queue ??= new Queue());
    if (this.mailbox !== undefined && queue.length >= this.mailbox.capacity && !this.makeRoom(message)) return false;
    queue.push(message);
    this.kick();
    return true;
  }

  /** @internal */
  offer(message: M): Promise<boolean> {
    const mailbox = this.mailbox;
    if (
      this.state !== TERMINATED &&
      mailbox?.overflow === MailboxOverflowStrategy.backpressure &&
      (this.queue?.length ?? 0) >= mailbox.capacity
    ) {
      return new Promise((resolve) => (this.more().waiters ??= new Queue()).push({ message, resolve }));
    }
    return Promise.resolve(this.enqueue(message));
  }

  /** A full bounded mailbox: true when the new message may be queued. */
  private makeRoom(message: M): boolean {
    if (this.mailbox!.overflow === MailboxOverflowStrategy.dropOldest) {
      this.system.deadLetter(this.queue!.shift(), this.self, "mailbox full (dropOldest)");
      return true;
    }
    this.system.deadLetter(message, this.self, `mailbox full (${this.mailbox!.overflow})`);
    return false;
  }

  private kick(): void {
    if (!this.scheduled && !this.busy && this.state === RUNNING && this.queue !== undefined && this.queue.length > 0) {
      this.scheduled = true;
      this.system.dispatcher.schedule(this);
    }
  }

  /** @internal Called by the dispatcher: processes up to `limit` messages. */
  run(limit: number): number {
    const queue = this.queue!;
    let processed = 0;
    while (processed < limit && queue.length > 0 && this.state === RUNNING && !this.busy) {
      const message = queue.shift();
      if (this.extras?.waiters !== undefined) this.admitWaiter();
      processed++;
      this.receive(message);
    }
    this.scheduled = false;
    this.kick();
    return processed;
  }

  private admitWaiter(): void {
    const waiters = this.extras!.waiters!;
    if (waiters.length > 0 && this.queue!.length < this.mailbox!.capacity) {
      const waiter = waiters.shift();
      this.queue!.push(waiter.message);
      waiter.resolve(true);
    }
  }

  private receive(message: M): void {
    if (message === STOP_AFTER_PENDING) {
      this.stopActor();
      return;
    }
    let next: Next<M>;
    try {
      next = this.behavior!.handler(this, message);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (next === undefined || next === null) {
      this.fail(new TypeError(`${this.self.path}: handler returned ${String(next)}; return a Behavior such as Behaviors.same()`));
      return;
    }
    if ((next as Behavior<M>).tag === Tag.same) return;
    if (next instanceof Promise) {
      this.busy = true;
      next.then(
        (behavior) => this.resume(() => this.become(behavior, message)),
        (error: unknown) => this.resume(() => this.fail(error)),
      );
      return;
    }
    this.become(next, message);
  }

  private become(next: Behavior<M>, message: M): void {
    switch (next.tag) {
      case Tag.same:
        return;
      case Tag.receive:
        this.behavior = next as ReceiveBehavior<M>;
        return;
      case Tag.unhandled:
        this.system.unhandled(message, this.self);
        return;
      case Tag.stopped:
        this.stopActor();
        return;
      case Tag.restart:
        this.restart(undefined);
        return;
      default:
        this.guarded(() => this.after(this.unwrap(next), noop));
    }
  }

  /** Continues after an async step, unless the actor stopped meanwhile. */
  private resume(step: () => void): void {
    this.busy = false;
    if (this.state < STOPPING) step();
    this.kick();
  }

  /** Runs `next` after a maybe-async step; the actor takes no message until both are done. */
  private after(result: void | Promise<void>, next: () => void): void {
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

  private guarded(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Peels supervise/lifecycle/setup layers down to a receive behaviour (async only for async setups). */
  private unwrap(behavior: Behavior<M>): void | Promise<void> {
    for (let b = behavior; ; ) {
      switch (b.tag) {
        case Tag.receive:
          this.behavior = b as ReceiveBehavior<M>;
          return;
        case Tag.supervise:
          this.strategy = (b as SuperviseBehavior<M>).strategy;
          b = (b as SuperviseBehavior<M>).inner;
          break;
        case Tag.lifecycle:
          this.hooks = (b as LifecycleBehavior<M>).hooks;
          b = (b as LifecycleBehavior<M>).inner;
          break;
        case Tag.setup: {
          const result = (b as SetupBehavior<M>).factory(this);
          if (result instanceof Promise) return result.then((inner) => this.unwrap(inner));
          b = result;
          break;
        }
        case Tag.stopped:
          this.stopActor();
          return;
        default:
          throw new Error(`${this.self.path}: setup must return a behaviour, not same/unhandled/restart`);
      }
    }
  }

  // ---- life cycle ----

  /** @internal */
  start(): void {
    if (this.parentCell !== undefined) this.system.started(this.self);
    try {
      const result = this.unwrap(this.initial);
      // the common case (a sync setup, no preStart) allocates nothing more
      if (result instanceof Promise || this.hooks?.preStart !== undefined) this.after(result, () => this.runningHook(this.hooks?.preStart));
    } catch (error) {
      this.fail(error);
    }
  }

  /** Runs `preStart`/`postRestart` unless setup already stopped the actor. */
  private runningHook(hook: ((ctx: ActorContext<M>) => void | Promise<void>) | undefined): void {
    if (hook !== undefined && this.state === RUNNING) this.after(hook.call(this.hooks, this), noop);
  }

  private fail(error: unknown): void {
    if (this.state >= STOPPING) {
      this.system.log.error(`${this.self.path} failed while stopping`, error);
      return;
    }
    const strategy = this.strategy;
    let directive: Directive = Directive.stop;
    if (strategy !== undefined) {
      try {
        directive = strategy.decide(error);
      } catch (decideError) {
        this.system.log.error(`${this.self.path}: supervisor decider failed, stopping`, decideError);
      }
    }
    if (directive === Directive.restart) {
      const times = (this.more().restartTimes ??= []);
      if (strategy!.allowRestart(times, this.system.scheduler.now())) {
        this.system.log.warn(`${this.self.path} failed, restarting: ${describe(error)}`);
        this.restart(error);
        return;
      }
      this.system.log.error(`${this.self.path} failed and exceeded its restart limit, stopping`, error);
    } else if (directive === Directive.escalate) {
      this.system.log.error(`${this.self.path} failed, escalating to ${this.parentCell?.self.path ?? "the system"}`, error);
    } else {
      this.system.log.error(`${this.self.path} failed, stopping`, error);
    }
    this.stopActor();
    if (directive === Directive.escalate) this.parentCell?.escalated(error);
  }

  private escalated(error: unknown): void {
    if (this.parentCell === undefined) return; // guardians only log (done by the child)
    this.fail(error);
  }

  private restart(error: unknown): void {
    this.state = RESTARTING;
    this.cancelTimers();
    if (this.system.eventStream.hasSubscribers(ActorRestarted)) {
      this.system.eventStream.publish(new ActorRestarted(this.self, error));
    }
    const hooks = this.hooks;
    this.after(safeHook(this, () => hooks?.preRestart?.(this, error)), () =>
      this.afterChildrenStopped(() => this.completeRestart()),
    );
  }

  private completeRestart(): void {
    this.state = RUNNING;
    this.behavior = undefined;
    this.guarded(() => this.after(this.unwrap(this.initial), () => this.runningHook(this.hooks?.postRestart)));
    this.kick();
  }

  /** @internal Stops the actor: children first, then `postStop`, then watchers hear `Terminated`. */
  stopActor(): void {
    if (this.state >= STOPPING) return;
    this.state = STOPPING;
    this.cancelTimers();
    this.afterChildrenStopped(() => this.postStop());
  }

  private afterChildrenStopped(next: () => void): void {
    if (this.childCells === undefined || this.childCells.size === 0) {
      next();
      return;
    }
    this.more().afterChildren = next;
    for (const child of [...this.childCells.values()]) child.stopActor();
  }

  /** @internal */
  childTerminated(child: AnyCell): void {
    const children = this.childCells;
    if (children?.get(child.name) !== child) return;
    children.delete(child.name);
    const next = this.extras?.afterChildren;
    if (children.size === 0 && next !== undefined) {
      this.extras!.afterChildren = undefined;
      next();
    }
  }

  private postStop(): void {
    const result = safeHook(this, () => this.hooks?.postStop?.(this));
    if (result instanceof Promise) result.then(() => this.terminate());
    else this.terminate();
  }

  private terminate(): void {
    this.state = TERMINATED;
    this.behavior = undefined;
    const system = this.system;
    this.queue?.drain((message) => system.deadLetter(message, this.self));
    this.extras?.waiters?.drain((waiter) => {
      system.deadLetter(waiter.message, this.self);
      waiter.resolve(false);
    });
    if (this.watching !== undefined) {
      for (const ref of this.watching) if (isWatchable(ref)) ref.removeWatcher(this);
      this.watching = undefined;
    }
    if (this.watchers !== undefined) {
      const watchers = this.watchers;
      this.watchers = undefined;
      for (const watcher of watchers) watcher.notifyTerminated(this.self);
    }
    if (this.parentCell !== undefined) {
      this.parentCell.childTerminated(this);
      system.stopped(this.self);
    }
    const callbacks = this.extras?.onTerminated;
    if (callbacks !== undefined) for (const callback of callbacks) callback();
  }

  /** @internal Resolves once the actor has fully stopped. */
  whenTerminated(): Promise<void> {
    if (this.state === TERMINATED) return Promise.resolve();
    return new Promise((resolve) => (this.more().onTerminated ??= []).push(resolve));
  }

  get isTerminated(): boolean {
    return this.state === TERMINATED;
  }

  /** @internal Paths of the actors below (or at) this one that hold up its stop: alive, with no live children. */
  holdingUp(into: string[], limit: number): string[] {
    if (this.state === TERMINATED || into.length >= limit) return into;
    if (this.childCells === undefined || this.childCells.size === 0) into.push(this.self.path);
    else for (const child of this.childCells.values()) child.holdingUp(into, limit);
    return into;
  }

  // ---- death watch (as target and as watcher) ----

  /** @internal */
  addWatcher(watcher: DeathWatcher): void {
    if (this.state === TERMINATED) watcher.notifyTerminated(this.self);
    else (this.watchers ??= new Set()).add(watcher);
  }

  /** @internal */
  removeWatcher(watcher: DeathWatcher): void {
    this.watchers?.delete(watcher);
  }

  /** @internal */
  notifyTerminated(ref: ActorRef<never>): void {
    // a stopping watcher would only turn the notice into a dead letter
    if (this.watching?.delete(ref) && this.state < STOPPING) this.enqueue(new Terminated(ref) as M);
  }

  // ---- helpers ----

  private cancelTimers(): void {
    const scheduler = this.system.scheduler;
    if (this.timers !== undefined) {
      for (const handle of this.timers.values()) scheduler.clearInterval(handle);
      this.timers = undefined;
    }
    const once = this.extras?.onceTimers;
    if (once !== undefined) {
      for (const handle of once) scheduler.clearTimeout(handle);
      once.clear();
    }
  }

  private tellMapped(map: () => M): void {
    let message: M;
    try {
      message = map();
    } catch (error) {
      this.system.log.error(`${this.self.path}: mapping a piped result failed`, error);
      return;
    }
    this.enqueue(message);
  }

  private more(): Extras<M> {
    return (this.extras ??= {});
  }
}

function noop(): void {}

/** Runs a lifecycle hook; a throwing `postStop`/`preRestart` is logged, never fatal. */
function safeHook(cell: AnyCell, hook: () => void | Promise<void>): void | Promise<void> {
  try {
    const result = hook();
    return result instanceof Promise
      ? result.catch((error: unknown) => cell.system.log.error(`${cell.self.path}: lifecycle hook failed`, error))
      : result;
  } catch (error) {
    cell.system.log.error(`${cell.self.path}: lifecycle hook failed`, error);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Stops the actor behind a local ref once it has handled every message queued before this call
 * (stopping it at once would turn those into dead letters). For infrastructure such as sharding.
 */
export function stopAfterPending(ref: ActorRef<never>): void {
  if (ref instanceof LocalActorRef && !ref.cell.isTerminated) (ref.cell as AnyCell).enqueue(STOP_AFTER_PENDING);
}
