import * as grpc from "@grpc/grpc-js";
import type { Registry } from "prom-client";
import type { Gateway } from "../../gateway/gateway.js";
import { collectedCounter, type Sample } from "./collected.js";

/** gRPC status names by code, as labels ("OK", "UNAVAILABLE", …). */
const codeNames = new Map<number, string>(Object.entries(grpc.status).flatMap(([name, code]) => (typeof code === "number" ? [[code, name] as const] : [])));

/** Gateway calls answered, by method and status code. */
export function gatewayMetrics(registry: Registry, gateway: Gateway): void {
  collectedCounter(registry, {
    name: "casty_gateway_calls_total",
    help: "Gateway calls answered (unary, and tells and asks on Multiplex streams), by method and gRPC status code",
    labelNames: ["method", "code"],
    *read(): Iterable<Sample<"method" | "code">> {
      for (const [method, codes] of gateway.callsAnswered) {
        for (let code = 0; code < codes.length; code++) yield [{ method, code: codeNames.get(code) ?? String(code) }, codes[code]];
      }
    },
  });
}
