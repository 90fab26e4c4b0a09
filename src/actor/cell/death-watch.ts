import type { ActorRef, DeathWatcher } from "../api.js";
import { isWatchable } from "../ref.js";
import { Terminated } from "../terminated.js";
import { STOPPING, TERMINATED } from "./core.js";
import { TimersCell } from "./timers.js";

/** Death watch, both ways: the refs this actor watches, and the watchers that hear when it stops. */
export abstract class DeathWatchCell<M> extends TimersCell<M> {
  private watchers: Set<DeathWatcher> | undefined;
  private watching: Set<ActorRef<never>> | undefined;

  watch(ref: ActorRef<never>): void {
    if (!isWatchable(ref)) throw new Error(`cannot watch ${ref.path}: its ref does not support death watch`);
    const watching = (this.watching ??= new Set());
    if (watching.has(ref)) return;
    watching.add(ref);
    ref.addWatcher(this);
  }

  unwatch(ref: ActorRef<never>): void {
    if (this.watching?.delete(ref) && isWatchable(ref)) ref.removeWatcher(this);
  }

  /** @internal */
  addWatcher(watcher: DeathWatcher): void {
    if (this.state === TERMINATED) watcher.notifyTerminated(this.self);
    else (this.watchers ??= new Set()).add(watcher);
  }

  /** @internal */
  removeWatcher(watcher: DeathWatcher): void {
    this.watchers?.delete(watcher);
  }

  /** @internal */
  notifyTerminated(ref: ActorRef<never>): void {
    // a stopping watcher would only turn the notice into a dead letter
    if (this.watching?.delete(ref) && this.state < STOPPING) this.enqueue(new Terminated(ref) as M);
  }

  /** On termination: stops watching others and tells this actor's watchers. */
  protected endDeathWatch(): void {
    if (this.watching !== undefined) {
      for (const ref of this.watching) if (isWatchable(ref)) ref.removeWatcher(this);
      this.watching = undefined;
    }
    if (this.watchers !== undefined) {
      const watchers = this.watchers;
      this.watchers = undefined;
      for (const watcher of watchers) watcher.notifyTerminated(this.self);
    }
  }
}
