import type { ActorRef, Cancellable } from "../api.js";
import { requirePositive } from "../errors.js";
import type { TimerHandle } from "../scheduler.js";
import { CellCore, STOPPING } from "./core.js";

/** Timers of an actor (`scheduleOnce`, keyed `startTimer`), all cancelled when it stops or restarts. */
export abstract class TimersCell<M> extends CellCore<M> {
  private timers: Map<unknown, TimerHandle> | undefined;

  scheduleOnce<T>(delay: number, target: ActorRef<T>, message: T): Cancellable {
    const scheduler = this.system.scheduler;
    const timers = (this.more().onceTimers ??= new Set());
    const handle = scheduler.setTimeout(() => {
      timers.delete(handle);
      target.tell(message);
    }, delay);
    timers.add(handle);
    return {
      cancel: () => {
        if (timers.delete(handle)) scheduler.clearTimeout(handle);
      },
    };
  }

  startTimer(key: unknown, message: M, interval: number): void {
    requirePositive(interval, "timer interval");
    if (this.state >= STOPPING) return;
    this.cancelTimer(key);
    const timers = (this.timers ??= new Map());
    timers.set(
      key,
      this.system.scheduler.setInterval(() => this.enqueue(message), interval),
    );
  }

  cancelTimer(key: unknown): void {
    const handle = this.timers?.get(key);
    if (handle === undefined) return;
    this.timers!.delete(key);
    this.system.scheduler.clearInterval(handle);
  }

  protected cancelTimers(): void {
    const scheduler = this.system.scheduler;
    if (this.timers !== undefined) {
      for (const handle of this.timers.values()) scheduler.clearInterval(handle);
      this.timers = undefined;
    }
    const once = this.extras?.onceTimers;
    if (once !== undefined) {
      for (const handle of once) scheduler.clearTimeout(handle);
      once.clear();
    }
  }
}
