import * as grpc from "@grpc/grpc-js";
import { AskTimeoutError, InvalidOptionError } from "../actor/errors.js";
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
  if (error instanceof DeserializationError || error instanceof InvalidOptionError || error instanceof TypeError) return grpc.status.INVALID_ARGUMENT;
  return grpc.status.INTERNAL;
}

export function serviceError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}
