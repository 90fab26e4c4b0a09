import { requirePositive } from "../actor/errors.js";
import type { PeerCertificate } from "node:tls";
import type { DistributedOptions } from "../distributed/options.js";

export interface GatewayOptions {
  /** Ask timeout when a call has no deadline (ms, default 5000). */
  readonly askTimeout?: number;
  /** Longest ask a deadline may ask for (ms, default 60,000): later deadlines are cut to it. */
  readonly maxAskTimeout?: number;
  /** Calls handled at once by this node's gateway (default 10,000); more are RESOURCE_EXHAUSTED. */
  readonly maxInFlight?: number;
  /** Membership streams open at once (default 1000); more are RESOURCE_EXHAUSTED. */
  readonly maxWatchers?: number;
  /**
   * With TLS, calls without a client certificate signed by the CA are UNAUTHENTICATED; `open: true`
   * serves them anyway (the node's `tls.requireClientCertificate: false` lets them connect at all).
   */
  readonly open?: boolean;
  /** With TLS, a certificate this returns false for is PERMISSION_DENIED (default: every CA-signed one). */
  readonly authorize?: (certificate: PeerCertificate) => boolean;
  /** Where the distributed data RPCs keep their structures (as `system.distributed(options)`). */
  readonly distributed?: DistributedOptions;
}

export interface ResolvedGatewayOptions {
  readonly askTimeout: number;
  readonly maxAskTimeout: number;
  readonly maxInFlight: number;
  readonly maxWatchers: number;
  readonly open: boolean;
  readonly authorize: ((certificate: PeerCertificate) => boolean) | undefined;
  readonly distributed: DistributedOptions;
}

export function resolveGatewayOptions(options: GatewayOptions = {}): ResolvedGatewayOptions {
  return {
    askTimeout: requirePositive(options.askTimeout ?? 5000, "gateway.askTimeout"),
    maxAskTimeout: requirePositive(options.maxAskTimeout ?? 60_000, "gateway.maxAskTimeout"),
    maxInFlight: requirePositive(options.maxInFlight ?? 10_000, "gateway.maxInFlight", { integer: true }),
    maxWatchers: requirePositive(options.maxWatchers ?? 1000, "gateway.maxWatchers", { integer: true }),
    open: options.open ?? false,
    authorize: options.authorize,
    distributed: options.distributed ?? {},
  };
}
