import { realScheduler, type Scheduler } from "../../src/index.js";

/**
 * The real scheduler, counting live timers so tests can prove that none leak: `live` are the pending
 * ones that keep the process alive, `armed` all pending ones, `started` every setTimeout so far.
 */
export function countingScheduler(): Scheduler & { readonly live: number; readonly armed: number; readonly started: number } {
  const live = new Set<unknown>();
  const idle = new Set<unknown>();
  let started = 0;
  return {
    ...realScheduler,
    get live() {
      return live.size;
    },
    get armed() {
      return live.size + idle.size;
    },
    get started() {
      return started;
    },
    setTimeout(fn, delay) {
      started++;
      const handle = realScheduler.setTimeout(() => {
        live.delete(handle);
        idle.delete(handle);
        fn();
      }, delay);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      idle.delete(handle);
      realScheduler.clearTimeout(handle);
    },
    keepAlive(handle, keep) {
      if (!live.has(handle) && !idle.has(handle)) return;
      (keep ? idle : live).delete(handle);
      (keep ? live : idle).add(handle);
      realScheduler.keepAlive!(handle, keep);
    },
    setInterval(fn, interval) {
      const handle = realScheduler.setInterval(fn, interval);
      live.add(handle);
      return handle;
    },
    clearInterval(handle) {
      live.delete(handle);
      realScheduler.clearInterval(handle);
    },
  };
}
