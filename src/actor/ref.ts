import type { ActorRef, Watchable } from "./api.js";

export type { ActorRef, DeathWatcher, ReplyOf, Watchable } from "./api.js";

const ACCEPTED = Promise.resolve(true);
const REFUSED = Promise.resolve(false);

/** Base class of every ref implementation; `instanceof BaseActorRef` recognises refs inside messages. */
export abstract class BaseActorRef<M> implements ActorRef<M> {
  abstract readonly path: string;
  abstract readonly address: string;
  /** Implementations may return false when the message became a dead letter (`offer` reports it). */

  abstract tell(message: M): boolean | void;

  offer(message: M): Promise<boolean> {
    return this.tell(message) === false ? REFUSED : ACCEPTED;
  }

  equals(other: ActorRef<unknown> | undefined): boolean {
    return other !== undefined && (other === this || other.address === this.address);
  }

  toString(): string {
    return `ActorRef(${this.address})`;
  }

  toJSON(): string {
    return this.address;
  }
}

export function isActorRef(value: unknown): value is ActorRef<unknown> {
  return value instanceof BaseActorRef;
}

export function isWatchable(ref: unknown): ref is Watchable {
  return typeof (ref as Partial<Watchable>).addWatcher === "function";
}
