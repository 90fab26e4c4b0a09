// Shared by the casty bench child scripts: quiet logging, a bounded wait, and the system under test.
import { ActorSystem } from "../../src/index.js";

// Children print one JSON line on stdout; keep casty's own log lines out of the way.
process.env.CASTY_LOG_LEVEL ??= "error";

/** A fresh local system with only error logs. */
export function benchSystem(name = "bench"): ActorSystem {
  return new ActorSystem({ name, logLevel: "error" });
}

/** `promise`, or a rejection after `ms` (every wait in a bench is bounded in time). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
