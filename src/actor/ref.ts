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

export function isWatchable(ref: unknown): ref is Watchable {
  return typeof (ref as Partial<Watchable>).addWatcher === "function";
}

/**
 * The reply type of a request, so `ask` can infer it: what its `replyTo` accepts, what a bare ref
 * request accepts, or, for an envelope with a `message` (e.g. `ShardEnvelope`), that of the message.
 */
export type ReplyOf<Req> = Req extends ActorRef<infer R>
  ? R
  : Req extends { readonly replyTo: ActorRef<infer R> }
    ? R
    : Req extends { readonly message: infer Inner }
      ? ReplyOf<Inner>
      : never;
