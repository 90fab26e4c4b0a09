import type { ServerSurfaceCall } from "@grpc/grpc-js/build/src/server-call.js";

/** The ask timeout of a call: what is left of its deadline, else `fallback`; at least 1 ms, at most `max`. */
export function askTimeoutOf(call: ServerSurfaceCall, now: number, fallback: number, max: number): number {
  const deadline = call.getDeadline();
  const until = deadline instanceof Date ? deadline.getTime() : deadline;
  const left = Number.isFinite(until) ? until - now : fallback;
  return Math.min(Math.max(left, 1), max);
}
