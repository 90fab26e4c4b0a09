import type { Behavior } from "./behavior.js";
import type { Logger } from "./logger.js";
import type { Mailbox } from "./mailbox.js";
import type { ActorRef, ReplyOf } from "./ref.js";
import type { ActorSystem } from "./system.js";

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

/** What a behaviour sees of its actor: identity, children, watch, timers. */
export interface ActorContext<M> {
  readonly self: ActorRef<M>;
  readonly system: ActorSystem;
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
