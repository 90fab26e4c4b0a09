import type { ActorRef, Watchable } from "./api.js";

export type { ActorRef, DeathWatcher, ReplyOf, Watchable } from "./api.js";

/** Base class of every ref implementation; `instanceof BaseActorRef` recognises refs inside messages. */
export abstract class BaseActorRef<M> implements ActorRef<M> {
  abstract readonly path: string;
  abstract readonly address: string;
  abstract tell(message: M): void;

  offer(message: M): Promise<boolean> {
    this.tell(message);
    return Promise.resolve(true);
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
