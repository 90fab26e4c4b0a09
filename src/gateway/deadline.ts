import type { ServerSurfaceCall } from "@grpc/grpc-js/build/src/server-call.js";

/** A call's deadline in ms since the epoch (Infinity without one). */
export function deadlineOf(call: ServerSurfaceCall): number {
  const deadline = call.getDeadline();
  return deadline instanceof Date ? deadline.getTime() : deadline;
}

/** The ask timeout of a call: what is left of its deadline, else `fallback`; at least 1 ms, at most `max`. */
export function askTimeoutOf(call: ServerSurfaceCall, now: number, fallback: number, max: number): number {
  const until = deadlineOf(call);
  const left = Number.isFinite(until) ? until - now : fallback;
  return Math.min(Math.max(left, 1), max);
}
