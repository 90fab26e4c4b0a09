import * as grpc from "@grpc/grpc-js";
import { AskDeliveryError, AskTimeoutError, InvalidOptionError } from "../actor/errors.js";
import { DeserializationError } from "../serialization/errors.js";

/** A refusal the gateway answers with its own status code. */
export class GatewayRefusal extends Error {
  override readonly name = "GatewayRefusal";

  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

export const refuse = (code: grpc.status, message: string): GatewayRefusal => new GatewayRefusal(code, message);

/** The status a failed call answers: the cause's own code, else what its kind means to a client. */
export function statusOf(error: unknown): grpc.status {
  if (error instanceof GatewayRefusal) return error.code;
  if (error instanceof AskTimeoutError) return grpc.status.DEADLINE_EXCEEDED;
  // the request was dead-lettered on its way (the entity's node lost, a shard moving): worth a retry later
  if (error instanceof AskDeliveryError) return grpc.status.UNAVAILABLE;
  if (error instanceof DeserializationError || error instanceof InvalidOptionError || error instanceof TypeError) return grpc.status.INVALID_ARGUMENT;
  return grpc.status.INTERNAL;
}

export function serviceError(code: grpc.status, details: string, metadata = new grpc.Metadata()): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata });
}

/**
 * Trailer of a call refused before anything was done (the node is not Up): a client may send that
 * call to another node, tell and ask included, without risking it twice.
 */
export const NOT_PROCESSED = "casty-not-processed";

/** UNAVAILABLE for a call this node did not take: carries the NOT_PROCESSED trailer. */
export function notServing(details: string): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  metadata.set(NOT_PROCESSED, "1");
  return serviceError(grpc.status.UNAVAILABLE, details, metadata);
}
