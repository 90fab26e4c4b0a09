import { status } from "@grpc/grpc-js";
import { AskTimeoutError } from "../actor/errors.js";

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

/** The error a failed gateway call rejects with: `AskTimeoutError` for DEADLINE_EXCEEDED, else a ClusterClientError. */
export function callError(method: string, code: status, details: string, timeout: number, cause?: unknown): Error {
  if (code === status.DEADLINE_EXCEEDED)
    return new AskTimeoutError(`gateway ${method} got no answer within ${timeout} ms (it may or may not have taken effect)`, { cause });
  return new ClusterClientError(code, `gateway ${method}: ${details}`, { cause });
}
