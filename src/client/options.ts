import { InvalidOptionError, requirePositive } from "../actor/errors.js";
import { realScheduler, type Scheduler } from "../actor/scheduler.js";
import type { TlsOptions } from "../remote/options.js";

export interface ClusterClientOptions {
  /** "host:port" of cluster nodes; the client talks to one at a time and moves on when it goes away. */
  readonly contactPoints: readonly string[];
  /** The cluster's TLS: `ca` to verify the nodes; `cert` and `key` are the client's own certificate (mutual TLS). */
  readonly tls?: Pick<TlsOptions, "ca"> & Partial<Pick<TlsOptions, "cert" | "key">>;
  /** Milliseconds a call waits for its answer unless it says otherwise (default 5000). */
  readonly timeout?: number;
  /** Calls in flight at once (default 10,000); more reject at once. */
  readonly maxInFlight?: number;
  /** Extra attempts of an idempotent call on other contact points (default: one per other contact point). */
  readonly retries?: number;
  /** Milliseconds `connect` waits for a first contact point to answer (default 10,000). */
  readonly connectTimeout?: number;
  /** Largest message the client sends or takes (bytes, default 4 MiB, as the nodes). */
  readonly maxMessageSize?: number;
  readonly scheduler?: Scheduler;
}

export interface ResolvedClientOptions {
  readonly contactPoints: readonly string[];
  readonly tls: ClusterClientOptions["tls"];
  readonly timeout: number;
  readonly maxInFlight: number;
  readonly retries: number;
  readonly connectTimeout: number;
  readonly maxMessageSize: number;
  readonly scheduler: Scheduler;
}

export function resolveClientOptions(options: ClusterClientOptions): ResolvedClientOptions {
  const contactPoints = options.contactPoints;
  if (!Array.isArray(contactPoints) || contactPoints.length === 0 || contactPoints.some((c) => typeof c !== "string" || !c.includes(":"))) {
    throw new InvalidOptionError(`contactPoints must list "host:port" strings, got ${JSON.stringify(contactPoints)}`);
  }
  const retries = options.retries ?? contactPoints.length - 1;
  if (!Number.isInteger(retries) || retries < 0) throw new InvalidOptionError(`retries must be a whole number, got ${String(retries)}`);
  return {
    contactPoints: [...(contactPoints as readonly string[])],
    tls: options.tls,
    timeout: requirePositive(options.timeout ?? 5000, "timeout"),
    maxInFlight: requirePositive(options.maxInFlight ?? 10_000, "maxInFlight", { integer: true }),
    retries,
    connectTimeout: requirePositive(options.connectTimeout ?? 10_000, "connectTimeout"),
    maxMessageSize: requirePositive(options.maxMessageSize ?? 4 * 1024 * 1024, "maxMessageSize", { integer: true }),
    scheduler: options.scheduler ?? realScheduler,
  };
}
