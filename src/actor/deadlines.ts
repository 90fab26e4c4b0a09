import { Queue } from "./queue.js";
import type { Scheduler, TimerHandle } from "./scheduler.js";

/** Something that waits until `deadline` unless it is `settled` first. */
export interface Waiting {
  readonly deadline: number;
  readonly settled: boolean;
}

interface Lane<T> {
  readonly waiting: Queue<T>;
  timer: TimerHandle;
  /** The queue is empty and the timer, still armed, no longer keeps the process alive. */
  idle: boolean;
}

/**
 * Deadlines of many calls (asks, a client's calls) with one timer per timeout value instead of one per
 * call: calls with the same timeout expire in the order they started, so each timeout's queue is in
 * deadline order. A settled call leaves its queue when it reaches the front.
 *
 * A lane whose queue empties keeps its timer armed (when the scheduler can stop it keeping the process
 * alive) and lets it find nothing to expire: calls made one after another then cost no timer each. A
 * call added later has a later deadline than the one the timer was armed for, so it is re-armed then.
 */
export class Deadlines<T extends Waiting> {
  private readonly lanes = new Map<number, Lane<T>>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly expire: (item: T) => void,
  ) {}

  add(timeout: number, item: T): void {
    let lane = this.lanes.get(timeout);
    if (lane === undefined) this.lanes.set(timeout, (lane = { waiting: new Queue<T>(), timer: undefined, idle: false }));
    lane.waiting.push(item);
    if (lane.timer === undefined) this.arm(timeout, lane);
    else if (lane.idle) {
      lane.idle = false;
      this.scheduler.keepAlive!(lane.timer, true);
    }
  }

  /** `item` (of `timeout`) settled: drops the settled ones at the front of its queue. */
  settled(timeout: number, item: T): void {
    const lane = this.lanes.get(timeout);
    if (lane?.waiting.peek() !== item) return;
    while (lane.waiting.length > 0 && lane.waiting.peek()!.settled) lane.waiting.shift();
    if (lane.waiting.length > 0) return;
    if (this.scheduler.keepAlive === undefined || lane.timer === undefined) return this.disarm(timeout, lane);
    lane.idle = true;
    this.scheduler.keepAlive(lane.timer, false);
  }

  /** Items in the queues (settled ones still queued behind an older waiting one count too). */
  get size(): number {
    let count = 0;
    for (const lane of this.lanes.values()) count += lane.waiting.length;
    return count;
  }

  /** Every item still waiting, in no particular order; the timers are released. */
  clear(): T[] {
    const left: T[] = [];
    for (const [timeout, lane] of [...this.lanes]) {
      lane.waiting.drain((item) => {
        if (!item.settled) left.push(item);
      });
      this.disarm(timeout, lane);
    }
    return left;
  }

  private arm(timeout: number, lane: Lane<T>): void {
    const delay = Math.max(0, lane.waiting.peek()!.deadline - this.scheduler.now());
    lane.timer = this.scheduler.setTimeout(() => this.expired(timeout, lane), delay);
  }

  private disarm(timeout: number, lane: Lane<T>): void {
    if (lane.timer !== undefined) this.scheduler.clearTimeout(lane.timer);
    lane.timer = undefined;
    lane.idle = false;
    if (this.lanes.get(timeout) === lane) this.lanes.delete(timeout);
  }

  private expired(timeout: number, lane: Lane<T>): void {
    lane.timer = undefined;
    const now = this.scheduler.now();
    const waiting = lane.waiting;
    while (waiting.length > 0 && (waiting.peek()!.settled || waiting.peek()!.deadline <= now)) {
      const item = waiting.shift();
      if (!item.settled) this.expire(item);
    }
    if (waiting.length > 0) this.arm(timeout, lane);
    else this.disarm(timeout, lane);
  }
}
