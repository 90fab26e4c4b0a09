import type * as grpc from "@grpc/grpc-js";
import type { Span } from "@opentelemetry/api";
import { contextOf, SpanKind, startSpan } from "../actor/tracing.js";

/**
 * The server span of a gateway call, under the caller's `traceparent` metadata when it sent one;
 * undefined when no tracer provider records it.
 */
export function callSpan(method: string, call: grpc.ServerUnaryCall<unknown, unknown>, node: string): Span | undefined {
  const header = call.metadata.get("traceparent")[0];
  const parent = typeof header === "string" ? contextOf(header) : undefined;
  return startSpan(`casty.v1.GatewayService/${method}`, SpanKind.SERVER, { "rpc.system": "grpc", "rpc.method": method, "casty.node": node }, parent);
}
