import type { Span } from "@opentelemetry/api";
import { contextOf, SpanKind, startSpan } from "../actor/tracing.js";

/**
 * The server span of a gateway call, under the caller's W3C `traceparent` when it sent one (metadata of
 * a unary call, a field of a Multiplex call); undefined when no tracer provider records it.
 */
export function callSpan(method: string, traceparent: unknown, node: string): Span | undefined {
  const parent = typeof traceparent === "string" && traceparent.length > 0 ? contextOf(traceparent) : undefined;
  return startSpan(`casty.v1.GatewayService/${method}`, SpanKind.SERVER, { "rpc.system": "grpc", "rpc.method": method, "casty.node": node }, parent);
}
