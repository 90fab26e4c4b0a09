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
}

export const realScheduler: Scheduler = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, delay) => setTimeout(fn, delay),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval: (fn, interval) => setInterval(fn, interval),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  yieldThen: (fn) => void setImmediate(fn),
  random: Math.random,
};
