import type { ActorRef, DeathWatcher, Watchable } from "./api.js";
import { BaseActorRef } from "./ref.js";

/** Routes a keyed message from another node (see `receiveKeyedInline`): the route it took, or undefined when it did not route it. */
export type KeyedRoute = (key: string, message: unknown, known: object | undefined) => object | undefined;

/** What a local ref needs of its actor (the cell implements it; refs never import the cell). */
export interface LocalCell<M> extends Watchable {
  readonly system: { readonly addressPrefix: string };
  readonly isTerminated: boolean;
  /** Queues a message; false when it became a dead letter. */
  enqueue(message: M): boolean;
  offer(message: M): Promise<boolean>;
  child(name: string): ActorRef<never> | undefined;
  /** Routes messages within the sender's tell while the actor is idle, true when it took one (see `receiveInline`). */
  inline: ((message: M) => boolean) | undefined;
  /** Routes keyed messages from another node without their wrapper while the actor is idle (see `receiveKeyedInline`). */
  keyedInline: KeyedRoute | undefined;
  /** Routes a keyed message from another node by `keyedInline` when idle: the route, or undefined when it did not. */
  receiveKeyedOffWire(key: string, message: unknown, known: object | undefined): object | undefined;
}

/** Ref to an actor of this process; stays valid (as a dead-letter sink) after the actor stops. */
export class LocalActorRef<M> extends BaseActorRef<M> implements Watchable {
  private cachedAddress: string | undefined;

  constructor(
    readonly path: string,
    /** @internal */ readonly cell: LocalCell<M>,
  ) {
    super();
  }

  get address(): string {
    return (this.cachedAddress ??= this.cell.system.addressPrefix + this.path);
  }

  tell(message: M): boolean {
    return this.cell.enqueue(message);
  }

  override offer(message: M): Promise<boolean> {
    return this.cell.offer(message);
  }

  addWatcher(watcher: DeathWatcher): void {
    this.cell.addWatcher(watcher);
  }

  removeWatcher(watcher: DeathWatcher): void {
    this.cell.removeWatcher(watcher);
  }
}
