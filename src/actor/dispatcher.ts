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
/** How many messages handled outside a turn (see `admitInline`) between two clock reads. */
const INLINE_CHECK_EVERY = 64;

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
  /** Inline messages the slice admits before the clock is read again; -1 once the slice is used up. */
  private inlineLeft = 0;
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

  /**
   * Whether one more message may run now outside a turn (an idle actor handling a message from the
   * network within its delivery), counted against the current slice: inline work and the turns share
   * it, so however many batches arrive in one event-loop turn, they run at most a slice (the clock is
   * read every INLINE_CHECK_EVERY messages) before messages queue for turns that yield first.
   */
  admitInline(): boolean {
    if (!this.sliceOpen) this.openSlice();
    if (this.inlineLeft > 0) {
      this.inlineLeft--;
      return true;
    }
    if (this.inlineLeft < 0 || performance.now() - this.sliceStart >= SLICE_MS) {
      this.inlineLeft = -1;
      return false;
    }
    this.inlineLeft = INLINE_CHECK_EVERY - 1;
    return true;
  }

  private openSlice(): void {
    this.sliceOpen = true;
    this.sliceStart = performance.now();
    this.inlineLeft = INLINE_CHECK_EVERY;
    this.scheduler.yieldThen(this.closeSlice);
  }

  private drain(): void {
    if (!this.sliceOpen) this.openSlice();
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
