/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- behaviours and cells are told apart by tag or ref, then narrowed to the class that made them */
import type { ActorContext, ActorRef, AskOptions, Behavior, Next, ReplyOf, SpawnOptions } from "../api.js";
import { describeNonBehavior, isBehavior, Tag, type LifecycleBehavior, type ReceiveBehavior, type SetupBehavior, type SuperviseBehavior } from "../behavior.js";
import type { Runnable } from "../dispatcher.js";
import { fromWire, STOP_AFTER_PENDING } from "../internal.js";
import type { KindCounters } from "../actor-kinds.js";
import { prefixed, type Logger } from "../logger.js";
import { MailboxOverflowStrategy, type Mailbox } from "../mailbox.js";
import { Queue } from "../queue.js";
import { SpanKind, startSpan, traced, Traced, untraced, withinSpan } from "../tracing.js";
import { noop, RUNNING, STOPPING, type ParentCell } from "./core.js";
import { FaultHandlingCell } from "./fault-handling.js";
import type { CellHost } from "./host.js";

/** What a keyed route that threw returns: the message was handled (the failure supervised), nothing to remember. */
const FAILED_ROUTE = Object.freeze({});

/**
 * One actor: its mailbox and current behaviour, on top of the layers for fault handling, children,
 * death watch and timers. The cell is also the `ActorContext` handed to behaviours. Messages run one
 * at a time, also across async handlers.
 */
export class ActorCell<M> extends FaultHandlingCell<M> implements ActorContext<M>, Runnable {
  private behavior: ReceiveBehavior<M> | undefined;
  private queue: Queue<M> | undefined;
  private scheduled = false;
  /** An inline message is being handled (a tell from within it is queued, not nested). */
  private receivingInline = false;

  constructor(
    system: CellHost,
    parentCell: ParentCell | undefined,
    name: string,
    path: string,
    private readonly initial: Behavior<M>,
    private readonly mailbox: Mailbox | undefined,
    /** @internal Shared by every actor of this kind. */ readonly counters: KindCounters,
  ) {
    super(system, parentCell, name, path);
  }

  /** @internal Messages waiting in the mailbox. */
  get mailboxSize(): number {
    return this.queue?.length ?? 0;
  }

  get log(): Logger {
    const extras = this.more();
    return (extras.log ??= prefixed(this.system.log, `[${this.self.path}]`));
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
    // a stopping actor handles nothing more: say so now rather than when it terminates
    if (this.state >= STOPPING) {
      this.system.deadLetter(message, this.self);
      return false;
    }
    if ((this.inline !== undefined || fromWire.delivering) && this.receivedAtOnce(message)) return true;
    const queue = (this.queue ??= new Queue());
    if (this.mailbox !== undefined && queue.length >= this.mailbox.capacity && !this.makeRoom(message)) return false;
    queue.push(traced.current === undefined ? message : this.traced(message));
    this.kick();
    return true;
  }

  /** Nothing queued, scheduled or in flight: a message may run at once without overtaking another. */
  private idle(): boolean {
    return !this.scheduled && !this.busy && !this.receivingInline && this.state === RUNNING && (this.queue === undefined || this.queue.length === 0);
  }

  /** Handles the message within the sender's call when it may run now (see receiveInline, tellFromWire); true if it did. */
  private receivedAtOnce(message: M): boolean {
    if (!this.idle() || traced.current !== undefined) return false;
    if (this.inline !== undefined && this.routedInline(this.inline, message)) return true;
    if (!fromWire.delivering || !this.system.dispatcher.admitInline()) return false;
    this.receiveOffWire(message);
    return true;
  }

  /**
   * Offers the message to the inline route (see receiveInline), without the behaviour: a router passes
   * a delivery from the wire on to where it routes the message (see routeOn). True when it took it.
   */
  private routedInline(route: (message: M) => boolean, message: M): boolean {
    const { delivering, routing } = fromWire;
    fromWire.delivering = false;
    fromWire.routing = delivering;
    this.receivingInline = true;
    let routed = true;
    try {
      routed = route(message);
    } catch (error) {
      this.fail(error);
    } finally {
      this.receivingInline = false;
      fromWire.delivering = delivering;
      fromWire.routing = routing;
    }
    if (routed) this.counters.processed++;
    return routed;
  }

  /**
   * Handles a message from the wire in the caller's stack, as `run` would: no delivery from the wire
   * goes on meanwhile, so what the handler sends is queued wherever it goes (and to itself).
   */
  private receiveOffWire(message: M): void {
    const { delivering, routing } = fromWire;
    fromWire.delivering = false;
    fromWire.routing = false;
    this.receivingInline = true;
    try {
      this.receive(message);
    } finally {
      this.receivingInline = false;
      fromWire.delivering = delivering;
      fromWire.routing = routing;
    }
    this.counters.processed++;
  }

  /** @internal See `receiveKeyedInline`: the router's `keyedInline` runs as a routed delivery from the wire would. */
  receiveKeyedOffWire(key: string, message: unknown, known: object | undefined): object | undefined {
    const route = this.keyedInline;
    if (route === undefined || !this.idle() || traced.current !== undefined) return undefined;
    const { delivering, routing } = fromWire;
    fromWire.delivering = false;
    fromWire.routing = true;
    this.receivingInline = true;
    let routed: object | undefined = FAILED_ROUTE;
    try {
      routed = route(key, message, known);
    } catch (error) {
      this.fail(error);
    } finally {
      this.receivingInline = false;
      fromWire.delivering = delivering;
      fromWire.routing = routing;
    }
    if (routed !== undefined) this.counters.processed++;
    return routed;
  }

  /** The message with the sender's trace context, to be processed within it. */
  private traced(message: M): M {
    traced.ever = true;
    return new Traced(message, traced.current!, traced.fromWire) as M;
  }

  /** @internal */
  offer(message: M): Promise<boolean> {
    const mailbox = this.mailbox;
    if (this.state < STOPPING && mailbox?.overflow === MailboxOverflowStrategy.backpressure && (this.queue?.length ?? 0) >= mailbox.capacity) {
      return new Promise((resolve) => (this.more().waiters ??= new Queue()).push({ message, resolve }));
    }
    return Promise.resolve(this.enqueue(message));
  }

  /** A full bounded mailbox: true when the new message may be queued. */
  private makeRoom(message: M): boolean {
    if (this.mailbox!.overflow === MailboxOverflowStrategy.dropOldest) {
      this.system.deadLetter(untraced(this.queue!.shift()), this.self, "mailbox full (dropOldest)");
      return true;
    }
    this.system.deadLetter(message, this.self, `mailbox full (${this.mailbox!.overflow})`);
    return false;
  }

  protected kick(): void {
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
      if (traced.ever && message instanceof Traced) this.receiveTraced(message);
      else this.receive(message);
    }
    this.counters.processed += processed;
    this.scheduled = false;
    this.kick();
    return processed;
  }

  /** Processes a message within its sender's trace context; one from another node is a span of its own. */
  private receiveTraced(message: Traced): void {
    const span = message.fromWire
      ? startSpan(
          `casty receive ${this.counters.kind}`,
          SpanKind.CONSUMER,
          { "casty.actor": this.self.path, "casty.node": this.system.addressPrefix },
          message.context,
        )
      : undefined;
    const previous = traced.current;
    traced.current = span === undefined ? message.context : withinSpan(message.context, span);
    try {
      this.receive(message.message as M);
    } finally {
      traced.current = previous;
      span?.end();
    }
  }

  private admitWaiter(): void {
    const waiters = this.extras!.waiters!;
    if (waiters.length > 0 && this.queue!.length < this.mailbox!.capacity) {
      const waiter = waiters.shift();
      this.queue!.push(waiter.message);
      waiter.resolve(true);
    }
  }

  protected closeMailbox(): void {
    this.behavior = undefined;
    const system = this.system;
    this.queue?.drain((message) => system.deadLetter(untraced(message), this.self));
    this.extras?.waiters?.drain((waiter) => {
      system.deadLetter(waiter.message, this.self);
      waiter.resolve(false);
    });
  }

  // ---- behaviour ----

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
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a handler behind a cast (or from plain JS) may return anything
    if (next === undefined || next === null) {
      this.fail(notABehavior(this.self.path, "returned", next));
      return;
    }
    if ((next as Behavior<M>).tag === Tag.same) return;
    if (next instanceof Promise) {
      this.busy = true;
      next.then(
        (behavior) => this.resume(() => this.become(behavior, message, "resolved to")),
        (error: unknown) => this.resume(() => this.fail(error)),
      );
      return;
    }
    this.become(next, message, "returned");
  }

  /** Applies what a handler returned (or resolved to); anything but a Behavior is a failure. */
  private become(next: unknown, message: M, how: string): void {
    if (!isBehavior(next)) {
      this.fail(notABehavior(this.self.path, how, next));
      return;
    }
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
      case Tag.setup:
      case Tag.supervise:
      case Tag.lifecycle:
        this.guarded(() => this.after(this.unwrap(next as Behavior<M>), noop));
        return;
      default:
        this.fail(notABehavior(this.self.path, how, next));
    }
  }

  /** Peels supervise/lifecycle/setup layers down to a receive behaviour (async only for async setups). */
  private unwrap(behavior: Behavior<M>): void | Promise<void> {
    for (let b = behavior; ;) {
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
      if (result instanceof Promise || this.hooks?.preStart !== undefined) this.after(result, () => this.runningHook("preStart"));
    } catch (error) {
      this.fail(error);
    }
  }

  protected reinitialize(): void | Promise<void> {
    this.behavior = undefined;
    return this.unwrap(this.initial);
  }

  protected context(): ActorContext<M> {
    return this;
  }

  protected createChild<C>(behavior: Behavior<C>, name: string, path: string, options: SpawnOptions | undefined): ActorCell<C> {
    // a guardian's children start a kind of their own; deeper actors belong to their top-level ancestor's
    const counters = this.parentCell === undefined ? this.system.kinds.of(path) : this.counters;
    return new ActorCell<C>(this.system, this, name, path, behavior, options?.mailbox, counters);
  }

  // ---- helpers ----

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
}

function notABehavior(path: string, how: string, value: unknown): TypeError {
  return new TypeError(`${path}: handler ${how} ${describeNonBehavior(value)}; return a Behavior such as Behaviors.same()`);
}
