// What the structure handles of ClusterClient need from it: the gateway's unary calls, and payloads.
import type * as grpc from "@grpc/grpc-js";
import type { GatewayServiceClient } from "../../gen/casty/v1/gateway.js";
import type { Any } from "../../gen/google/protobuf/any.js";

export interface CallOptions {
  /** Milliseconds to wait for the answer (default: the client's `timeout`). */
  readonly timeout?: number;
  /** Aborting it gives up the call: it rejects with CANCELLED at once, and the node answers it no more (an ask already sent may still reach its entity). */
  readonly signal?: AbortSignal;
}

/** The unary RPCs of the gateway, by their client method names. */
export type GatewayRpc = Exclude<
  { [K in keyof GatewayServiceClient]: GatewayServiceClient[K] extends (...args: never[]) => grpc.ClientUnaryCall ? K : never }[keyof GatewayServiceClient],
  keyof grpc.Client
>;

export type ResponseOf<K extends GatewayRpc> = GatewayServiceClient[K] extends {
  (
    request: never,
    metadata: grpc.Metadata,
    options: Partial<grpc.CallOptions>,
    callback: (error: grpc.ServiceError | null, response: infer R) => void,
  ): grpc.ClientUnaryCall;
}
  ? R
  : never;

export interface GatewayCalls {
  invoke<K extends GatewayRpc>(
    method: K,
    request: () => Parameters<GatewayServiceClient[K]>[0],
    options: CallOptions | undefined,
    idempotent: boolean,
  ): Promise<ResponseOf<K>>;
  encode(value: unknown): Any;
  decode(any: Any | undefined): unknown;
}
