import type { status } from "@grpc/grpc-js";

/** A gateway call that failed: `code` is its gRPC status (NOT_FOUND, INVALID_ARGUMENT, UNAVAILABLE, …). */
export class ClusterClientError extends Error {
  override readonly name = "ClusterClientError";

  constructor(
    readonly code: status,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
