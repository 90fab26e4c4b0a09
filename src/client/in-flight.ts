import * as grpc from "@grpc/grpc-js";
import { ClusterClientError } from "./errors.js";

/** The calls a client has in flight, unary and multiplexed alike, and their bound. */
export class InFlight {
  count = 0;

  constructor(readonly max: number) {}

  /** Why one more call may not start, if it may not. */
  refusal(): ClusterClientError | undefined {
    return this.count < this.max
      ? undefined
      : new ClusterClientError(grpc.status.RESOURCE_EXHAUSTED, `${this.count} calls are in flight: the most this client makes`);
  }
}
