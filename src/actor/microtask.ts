const RESOLVED = Promise.resolve();

/**
 * Runs `fn` in a microtask, like `queueMicrotask` but about three times cheaper: Node wraps each
 * `queueMicrotask` callback in an async resource, a reaction on a settled promise is bare. `fn` must
 * contain its errors: one it throws would be an unhandled rejection.
 */
export function microtask(fn: () => void): void {
  void RESOLVED.then(fn);
}
