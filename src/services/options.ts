import { requirePositive } from "../actor/errors.js";

/** Options of the node's own gRPC services (`services` in the start options). */
export interface ServicesOptions {
  /** Ask timeout of a call without a deadline (ms, default 5000); also the wait between streamed replies. */
  readonly askTimeout?: number;
  /** Longest ask a deadline may ask for (ms, default 60,000): later deadlines are cut to it. */
  readonly maxAskTimeout?: number;
  /** Responses a streamed call may have waiting to be sent (default 1000); more end it with RESOURCE_EXHAUSTED. */
  readonly maxStreamBacklog?: number;
}

export interface ResolvedServicesOptions {
  readonly askTimeout: number;
  readonly maxAskTimeout: number;
  readonly maxStreamBacklog: number;
}

export function resolveServicesOptions(options: ServicesOptions = {}): ResolvedServicesOptions {
  return {
    askTimeout: requirePositive(options.askTimeout ?? 5000, "services.askTimeout"),
    maxAskTimeout: requirePositive(options.maxAskTimeout ?? 60_000, "services.maxAskTimeout"),
    maxStreamBacklog: requirePositive(options.maxStreamBacklog ?? 1000, "services.maxStreamBacklog", { integer: true }),
  };
}
