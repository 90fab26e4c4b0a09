import { realScheduler, type Scheduler } from "../../src/index.js";

/** The real scheduler, counting live timers so tests can prove that none leak. */
export function countingScheduler(): Scheduler & { readonly live: number } {
  const live = new Set<unknown>();
  return {
    ...realScheduler,
    get live() {
      return live.size;
    },
    setTimeout(fn, delay) {
      const handle = realScheduler.setTimeout(() => {
        live.delete(handle);
        fn();
      }, delay);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      realScheduler.clearTimeout(handle);
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
