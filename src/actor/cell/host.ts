import type { ActorRef, ActorSystemView } from "../api.js";
import type { ActorKinds } from "../actor-kinds.js";
import type { Dispatcher } from "../dispatcher.js";

/** @internal What a cell needs of its system beyond what behaviours see. */
export interface CellHost extends ActorSystemView {
  readonly dispatcher: Dispatcher;
  /** Counters per kind of actor, for metrics. */
  readonly kinds: ActorKinds;
  /** Throws once the system stops its actors. */
  ensureRunning(): void;
  /** A fresh name for an unnamed actor. */
  nextName(): string;
  unhandled(message: unknown, ref: ActorRef<never>): void;
  started(ref: ActorRef<never>): void;
  stopped(ref: ActorRef<never>): void;
}
