import { Queue } from "./queue.js";
import type { Scheduler } from "./scheduler.js";

/** Something with queued work; `run` processes up to `limit` messages and returns how many it did. */
export interface Runnable {
  run(limit: number): number;
}

/** Messages one actor may process before the next ready actor gets its turn. */
export const DEFAULT_THROUGHPUT = 512;
/** Longest stretch of message processing before yielding to timers and I/O. */
const SLICE_MS = 5;
/** How many messages between two clock reads. */
const CHECK_EVERY = 1024;

/**
 * Runs ready actors in one loop: the first batch starts in a microtask (low latency), and after a
 * time slice it yields through the scheduler so timers and sockets run (cluster heartbeats stay alive).
 */
export class Dispatcher {
  private readonly ready = new Queue<Runnable>(64);
  private pending = false;
  private readonly drainNow = () => this.drain();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly throughput = DEFAULT_THROUGHPUT,
  ) {}

  schedule(actor: Runnable): void {
    this.ready.push(actor);
    if (!this.pending) {
      this.pending = true;
      queueMicrotask(this.drainNow);
    }
  }

  private drain(): void {
    const ready = this.ready;
    const start = performance.now();
    let sinceCheck = 0;
    while (ready.length > 0) {
      sinceCheck += ready.shift().run(this.throughput);
      if (sinceCheck >= CHECK_EVERY) {
        sinceCheck = 0;
        if (performance.now() - start >= SLICE_MS) break;
      }
    }
    if (ready.length > 0) this.scheduler.yieldThen(this.drainNow);
    else this.pending = false;
  }
}
