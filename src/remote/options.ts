import { InvalidOptionError, requirePositive } from "../actor/errors.js";
import type { ActorSystemOptions } from "../actor/system.js";

/** PEM material. Peers verify each other against `ca`: mutual TLS unless `requireClientCertificate` is false. */
export interface TlsOptions {
  ca: string | Buffer;
  cert: string | Buffer;
  key: string | Buffer;
  /** Refuse clients without a certificate signed by `ca` (default true: mutual TLS). */
  requireClientCertificate?: boolean;
}

export interface RemoteOptions extends ActorSystemOptions {
  /** Interface to bind (default "127.0.0.1"). */
  host?: string;
  /** Port to bind (default 25520); 0 picks a free port, reported by `system.port`. */
  port?: number;
  /** Host and port other nodes reach this node at, when they differ from the bound ones (NAT, containers). */
  advertiseHost?: string;
  advertisePort?: number;
  tls?: TlsOptions;
  /** Largest serialized message in bytes (default 4 MiB); larger ones fail at `tell`. */
  maxMessageSize?: number;
  /** Envelopes queued per peer while the connection is slow or down (default 100,000); more become dead letters. */
  outboundQueueSize?: number;
  /** Reconnect backoff bounds in ms (defaults 100 and 5000), with jitter. */
  minBackoff?: number;
  maxBackoff?: number;
  /** Queued messages to a peer unreachable for this long (ms, default 5000) become dead letters. */
  undeliveredTimeout?: number;
}

export interface ResolvedRemoteOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsOptions | undefined;
  readonly maxMessageSize: number;
  readonly outboundQueueSize: number;
  readonly minBackoff: number;
  readonly maxBackoff: number;
  readonly undeliveredTimeout: number;
}

export function resolveRemoteOptions(options: RemoteOptions): ResolvedRemoteOptions {
  const port = options.port ?? 25520;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionError(`port must be 0..65535, got ${String(port)}`);
  const tls = options.tls;
  if (tls !== undefined) {
    for (const part of ["ca", "cert", "key"] as const) {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JavaScript callers may leave a part out
      if (tls[part] === undefined || tls[part].length === 0) throw new InvalidOptionError(`tls.${part} is missing: TLS needs ca, cert and key (PEM)`);
    }
  }
  const minBackoff = requirePositive(options.minBackoff ?? 100, "minBackoff");
  const maxBackoff = requirePositive(options.maxBackoff ?? 5000, "maxBackoff");
  if (maxBackoff < minBackoff) throw new InvalidOptionError("maxBackoff must not be below minBackoff");
  return {
    host: options.host ?? "127.0.0.1",
    port,
    tls,
    maxMessageSize: requirePositive(options.maxMessageSize ?? 4 * 1024 * 1024, "maxMessageSize", { integer: true }),
    outboundQueueSize: requirePositive(options.outboundQueueSize ?? 100_000, "outboundQueueSize", { integer: true }),
    minBackoff,
    maxBackoff,
    undeliveredTimeout: requirePositive(options.undeliveredTimeout ?? 5000, "undeliveredTimeout"),
  };
}
