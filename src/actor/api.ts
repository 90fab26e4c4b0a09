// The public interfaces of the actor runtime, as behaviours see them. This module holds types only
// and depends on no implementation (type imports from leaf modules aside), so every part of the
// runtime can use it without an import circle.
import type { CoordinatedShutdown } from "./coordinated-shutdown.js";
import type { EventStream } from "./event-stream.js";
import type { Logger } from "./logger.js";
import type { Mailbox } from "./mailbox.js";
import type { Scheduler } from "./scheduler.js";

/** A typed handle to an actor, local or remote. Refs are values: compare them with `equals`. */
export interface ActorRef<M> {
  /** Path inside the owning system, e.g. `/user/accounts`. */
  readonly path: string;
  /** Full URI that round-trips through the wire, e.g. `casty://bank@10.0.0.1:25520/user/accounts`. */
  readonly address: string;
  /** Fire-and-forget. Undeliverable messages become `DeadLetter`s. */
  tell(message: M): void;
  /** Like `tell`, but waits for room in a bounded `backpressure` mailbox; resolves false when dropped. */
  offer(message: M): Promise<boolean>;
  equals(other: ActorRef<unknown> | undefined): boolean;
}

/** Receives the death notice of a watched ref (implemented by actor cells). */
export interface DeathWatcher {
  notifyTerminated(ref: ActorRef<never>): void;
}

/** Death watch support of a ref implementation; remote refs implement it over the cluster. */
export interface Watchable {
  /** Registers `watcher`; a ref that is already dead notifies at once. */
  addWatcher(watcher: DeathWatcher): void;
  removeWatcher(watcher: DeathWatcher): void;
}

/**
 * The reply type of a request, so `ask` can infer it: what its `replyTo` accepts, what a bare ref
 * request accepts, or, for an envelope with a `message` (e.g. `ShardEnvelope`), that of the message.
 */
export type ReplyOf<Req> =
  Req extends ActorRef<infer R>
    ? R
    : Req extends { readonly replyTo: ActorRef<infer R> }
      ? R
      : Req extends { readonly message: infer Inner }
        ? ReplyOf<Inner>
        : never;

/** How an actor handles messages of type `M`: an immutable value, state lives in closures. */
export interface Behavior<M> {
  readonly tag: number;
  /** Phantom field: makes `Behavior<M>` contravariant in `M`. */
  readonly __message?: (message: M) => void;
}

export type Next<M> = Behavior<M> | Promise<Behavior<M>>;
export type Handler<M> = (ctx: ActorContext<M>, message: M) => Next<M>;

export interface LifecycleHooks<M> {
  preStart?(ctx: ActorContext<M>): void | Promise<void>;
  postStop?(ctx: ActorContext<M>): void | Promise<void>;
  preRestart?(ctx: ActorContext<M>, error: unknown): void | Promise<void>;
  postRestart?(ctx: ActorContext<M>): void | Promise<void>;
}

export interface SpawnOptions {
  mailbox?: Mailbox;
}

export interface Cancellable {
  cancel(): void;
}

export interface AskOptions {
  /** Milliseconds to wait for the reply (default 5000). */
  timeout?: number;
}

/** Identifies a feature attached to a system (remoting, cluster, sharding, …); `S` is the system it gets. */
export interface ExtensionIdFor<T, S> {
  /** Unique, e.g. "casty.Remoting". */
  readonly key: string;
  /** Called once, on the first lookup through `system.extension(id)`. */
  create(system: S): T;
}

/** The actor system as an actor sees it (`ctx.system`). */
export interface ActorSystemView {
  readonly name: string;
  /** `casty://<name>` locally; remoting adds `@host:port`. */
  readonly addressPrefix: string;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly eventStream: EventStream;
  readonly coordinatedShutdown: CoordinatedShutdown;
  readonly isTerminated: boolean;
  spawn<M>(behavior: Behavior<M>, name?: string, options?: SpawnOptions): ActorRef<M>;
  ask<const Req, Res = ReplyOf<Req>>(target: ActorRef<Req>, createRequest: (replyTo: ActorRef<Res>) => NoInfer<Req>, options?: AskOptions): Promise<Res>;
  lookup<M = unknown>(path: string): ActorRef<M> | undefined;
  /** A message that could not be delivered: published as `DeadLetter`, logged, and fails its ask at once. */
  deadLetter(message: unknown, recipient: ActorRef<never> | undefined, reason?: string): void;
  /** Publishes `UnhandledMessage` for a message a behaviour did not handle (event-sourced entities answer `unhandled()` too). */
  unhandled(message: unknown, ref: ActorRef<never>): void;
  extension<T>(id: ExtensionIdFor<T, ActorSystemView>): T;
  registerExtension<T>(id: ExtensionIdFor<T, ActorSystemView>, instance: T): void;
  findExtension<T>(id: ExtensionIdFor<T, ActorSystemView>): T | undefined;
  shutdown(): Promise<void>;
}

/** What a behaviour sees of its actor: identity, children, watch, timers. */
export interface ActorContext<M> {
  readonly self: ActorRef<M>;
  readonly system: ActorSystemView;
  readonly parent: ActorRef<never> | undefined;
  readonly children: readonly ActorRef<never>[];
  readonly log: Logger;
  spawn<C>(behavior: Behavior<C>, name?: string, options?: SpawnOptions): ActorRef<C>;
  child(name: string): ActorRef<never> | undefined;
  /** Stops a child of this actor (children stop before their parent). */
  stop(child: ActorRef<never>): void;
  /** Delivers `new Terminated(ref)` when `ref` stops (at once if it is already dead). */
  watch(ref: ActorRef<never>): void;
  unwatch(ref: ActorRef<never>): void;
  scheduleOnce<T>(delay: number, target: ActorRef<T>, message: T): Cancellable;
  /** Sends `message` to self every `interval` ms until cancelled; a new timer under `key` replaces the old one. */
  startTimer(key: unknown, message: M, interval: number): void;
  cancelTimer(key: unknown): void;
  /** Maps the outcome of `promise` to a message to self (the actor never blocks on it). */
  pipeToSelf<T>(promise: Promise<T>, onOk: (value: T) => M, onError: (error: unknown) => M): void;
  /** Asks `target` and maps the reply (or the failure, e.g. `AskTimeoutError`) to a message to self. */
  ask<const Req, Res = ReplyOf<Req>>(
    target: ActorRef<Req>,
    createRequest: (replyTo: ActorRef<Res>) => NoInfer<Req>,
    onReply: (reply: Res) => M,
    onError: (error: unknown) => M,
    options?: AskOptions,
  ): void;
}
