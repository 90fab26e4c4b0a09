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
 * Runs ready actors in one loop: work starts in a microtask (low latency), and once a time slice is
 * used up it yields through the scheduler so timers and sockets run (cluster heartbeats stay alive).
 * The slice spans every drain of one event-loop turn, so actors woken from microtasks (async
 * handlers, promise replies) cannot starve the loop either.
 */
export class Dispatcher {
  private readonly ready = new Queue<Runnable>(64);
  private pending = false;
  /** When the current slice began; a slice ends when the event loop gets its turn again. */
  private sliceStart = 0;
  private sliceOpen = false;
  private readonly drainNow = () => this.drain();
  private readonly closeSlice = () => {
    this.sliceOpen = false;
  };

  constructor(
    private readonly scheduler: Scheduler,
    private readonly throughput = DEFAULT_THROUGHPUT,
  ) {}

  schedule(actor: Runnable): void {
    this.ready.push(actor);
    if (this.pending) return;
    this.pending = true;
    if (this.sliceOpen && performance.now() - this.sliceStart >= SLICE_MS) this.scheduler.yieldThen(this.drainNow);
    else queueMicrotask(this.drainNow);
  }

  private drain(): void {
    if (!this.sliceOpen) {
      this.sliceOpen = true;
      this.sliceStart = performance.now();
      this.scheduler.yieldThen(this.closeSlice);
    }
    const ready = this.ready;
    let sinceCheck = 0;
    while (ready.length > 0) {
      sinceCheck += ready.shift().run(this.throughput);
      if (sinceCheck >= CHECK_EVERY) {
        sinceCheck = 0;
        if (performance.now() - this.sliceStart >= SLICE_MS) break;
      }
    }
    if (ready.length > 0) this.scheduler.yieldThen(this.drainNow);
    else this.pending = false;
  }
}
