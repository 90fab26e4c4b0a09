import { BaseActorRef, type DeathWatcher, type Watchable } from "../actor/ref.js";
import type { Endpoint } from "./endpoint.js";
import type { RemoteWatch } from "./remote-watch.js";

/** Ref to an actor on another node: `tell` serializes now and sends over the peer's Connect stream. */
export class RemoteActorRef<M> extends BaseActorRef<M> implements Watchable {
  constructor(
    readonly address: string,
    readonly path: string,
    /** @internal */ readonly endpoint: Endpoint,
    private readonly deathWatch: RemoteWatch,
  ) {
    super();
  }

  addWatcher(watcher: DeathWatcher): void {
    this.deathWatch.watch(this, watcher);
  }

  removeWatcher(watcher: DeathWatcher): void {
    this.deathWatch.unwatch(this, watcher);
  }

  tell(message: M): boolean {
    return this.endpoint.send(this.path, message, this);
  }

  /**
   * Sends a keyed wrapper (see `Serialization.registerKeyed`) as if its forward count were `hops`, so
   * that a router forwarding it need not copy it to count the hop.
   */
  forward(message: M, hops: number): boolean {
    return this.endpoint.send(this.path, message, this, hops);
  }

  /** Waits while the outbound queue to the peer is full (backpressure) instead of dropping. */
  override offer(message: M): Promise<boolean> {
    return this.endpoint.offer(this.path, message, this);
  }
}

/** Where nothing lives: every message becomes a dead letter (e.g. a ref to an actor that is gone). */
export class MissingActorRef<M> extends BaseActorRef<M> {
  constructor(
    readonly address: string,
    readonly path: string,
    private readonly onMessage: (message: unknown, ref: MissingActorRef<M>) => void,
  ) {
    super();
  }

  /** Always a dead letter: `offer` resolves false. */
  tell(message: M): boolean {
    this.onMessage(message, this);
    return false;
  }
}
