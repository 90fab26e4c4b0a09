import type { ActorCell } from "./cell.js";
import { BaseActorRef, type DeathWatcher, type Watchable } from "./ref.js";

/** Ref to an actor of this process; stays valid (as a dead-letter sink) after the actor stops. */
export class LocalActorRef<M> extends BaseActorRef<M> implements Watchable {
  private cachedAddress: string | undefined;

  constructor(
    readonly path: string,
    /** @internal */ readonly cell: ActorCell<M>,
  ) {
    super();
  }

  get address(): string {
    return (this.cachedAddress ??= this.cell.system.addressPrefix + this.path);
  }

  tell(message: M): void {
    this.cell.enqueue(message);
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
