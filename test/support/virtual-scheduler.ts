import type { Scheduler } from "../../src/index.js";

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  interval: number | undefined;
  cancelled: boolean;
}

/**
 * Virtual time and a seeded random source: `advance` runs due timers in order (and lets promise
 * callbacks settle between them), so a simulation runs the same way every time for the same seed.
 */
export class VirtualScheduler implements Scheduler {
  private time = 0;
  private seq = 0;
  private timers: Timer[] = [];
  private seed: number;

  /**
   * `microtasks` (a number of promise turns) settles promise callbacks between timers without a trip
   * through the event loop: much faster, for code that only waits on promises and this scheduler.
   */
  constructor(
    seed: number,
    private readonly options: { readonly microtasks?: number } = {},
  ) {
    this.seed = seed >>> 0;
  }

  now = (): number => this.time;

  random = (): number => {
    // mulberry32
    let t = (this.seed = (this.seed + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  setTimeout = (fn: () => void, delay: number): unknown => this.add(fn, delay, undefined);
  setInterval = (fn: () => void, interval: number): unknown => this.add(fn, interval, interval);
  clearTimeout = (handle: unknown): void => void ((handle as Timer).cancelled = true);
  clearInterval = (handle: unknown): void => void ((handle as Timer).cancelled = true);
  yieldThen = (fn: () => void): void => void this.add(fn, 0, undefined);

  /** Runs every timer due within the next `ms` of virtual time. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers[0];
      if (next === undefined || next.at > end) break;
      this.timers.shift();
      if (next.cancelled) continue;
      this.time = next.at;
      if (next.interval !== undefined) this.insert({ ...next, at: next.at + next.interval, seq: this.seq++ }, next);
      next.fn();
      await (this.options.microtasks === undefined ? settle() : turns(this.options.microtasks));
    }
    this.time = end;
  }

  /** Advances in steps until `done()` holds; returns the virtual time it took, or fails after `limit` ms. */
  async until(done: () => boolean, limit: number, step = 10): Promise<number> {
    const start = this.time;
    while (!done()) {
      if (this.time - start > limit) throw new Error(`not reached within ${limit} ms of virtual time`);
      await this.advance(step);
    }
    return this.time - start;
  }

  private add(fn: () => void, delay: number, interval: number | undefined): Timer {
    const timer: Timer = { at: this.time + Math.max(0, delay), seq: this.seq++, fn, interval, cancelled: false };
    this.insert(timer);
    return timer;
  }

  /** Keeps timers sorted by (at, seq); a repeating timer keeps its identity across runs. */
  private insert(timer: Timer, identity?: Timer): void {
    const entry = identity === undefined ? timer : Object.assign(identity, { at: timer.at, seq: timer.seq });
    let i = this.timers.length;
    while (i > 0 && (this.timers[i - 1].at > entry.at || (this.timers[i - 1].at === entry.at && this.timers[i - 1].seq > entry.seq))) i--;
    this.timers.splice(i, 0, entry);
  }
}

/** Lets `count` turns of promise callbacks run. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await Promise.resolve();
}

/** Lets pending promise callbacks run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
