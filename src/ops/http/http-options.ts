import { InvalidOptionError } from "../../actor/errors.js";

/** The node's HTTP port for operators: `GET /metrics` (Prometheus) and `GET /` (the live cluster page). */
export interface HttpOptions {
  /** Port to listen on (0 picks a free one: see `system.httpUrl`). */
  port: number;
  /** Interface to listen on (default: the node's `host`, else 127.0.0.1). */
  host?: string;
}

export interface ResolvedHttpOptions {
  readonly port: number;
  readonly host: string;
}

export function resolveHttpOptions(options: HttpOptions, nodeHost: string | undefined): ResolvedHttpOptions {
  const { port, host = nodeHost ?? "127.0.0.1" } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionError(`http.port must be an integer in 0..65535, got ${String(port)}`);
  if (typeof host !== "string" || host.length === 0) throw new InvalidOptionError(`http.host must be a host name or address, got ${JSON.stringify(host)}`);
  return { port, host };
}
