/** Opaque handle of a scheduled callback. */
export type TimerHandle = unknown;

/**
 * Time, timers and randomness reach the runtime only through this interface, so a test can
 * drive a whole system (or cluster) deterministically.
 */
export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, delay: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, interval: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** Runs `fn` after pending I/O and timers got their turn (used to yield the event loop). */
  yieldThen(fn: () => void): void;
  /** Uniform random number in [0, 1). */
  random(): number;
  /**
   * Whether a pending timer keeps the process alive (Node's `ref`/`unref`). Optional: a scheduler
   * without it has no process to keep alive, and callers then cancel idle timers instead.
   */
  keepAlive?(handle: TimerHandle, keep: boolean): void;
}

/** Constant for the process's life: read once, `performance.timeOrigin` is a native call each time. */
const timeOrigin = performance.timeOrigin;

export const realScheduler: Scheduler = {
  now: () => timeOrigin + performance.now(),
  setTimeout: (fn, delay) => setTimeout(fn, delay),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (fn, interval) => setInterval(fn, interval),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  yieldThen: (fn) => void setImmediate(fn),
  random: Math.random,
  keepAlive: (handle, keep) => {
    if (keep) (handle as NodeJS.Timeout).ref();
    else (handle as NodeJS.Timeout).unref();
  },
};
