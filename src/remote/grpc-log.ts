// grpc-js has one process-wide logger. While casty nodes run, its lines go to the logger of the most
// recently started one that is still running (several systems may share a process), at casty's levels:
// its errors as warnings, the rest as debug. With no node left grpc-js's default is back.
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "../actor/logger.js";

type Line = (message: string) => void;
interface Sink {
  readonly error: Line;
  readonly other: Line;
}

const sinks: Sink[] = [];
/** grpc-js's own default (it does not export it), put back when no casty node is left. */
const grpcDefault: Partial<Console> = {
  error: (message: unknown, ...details: unknown[]) => console.error(`E ${String(message)}`, ...details),
  info: (message: unknown, ...details: unknown[]) => console.error(`I ${String(message)}`, ...details),
  debug: (message: unknown, ...details: unknown[]) => console.error(`D ${String(message)}`, ...details),
};

const format = (message: unknown, details: unknown[]): string => ["grpc-js:", message, ...details].map(String).join(" ");

const router: Partial<Console> = {
  error: (message: unknown, ...details: unknown[]) => sinks.at(-1)?.error(format(message, details)),
  info: (message: unknown, ...details: unknown[]) => sinks.at(-1)?.other(format(message, details)),
  debug: (message: unknown, ...details: unknown[]) => sinks.at(-1)?.other(format(message, details)),
};

function push(sink: Sink): () => void {
  if (sinks.length === 0) grpc.setLogger(router);
  sinks.push(sink);
  return () => {
    const at = sinks.lastIndexOf(sink);
    if (at >= 0) sinks.splice(at, 1);
    if (sinks.length === 0) grpc.setLogger(grpcDefault);
  };
}

/** Routes grpc-js's lines to `log` until the returned function is called. */
export function routeGrpcLogs(log: Logger): () => void {
  return push({ error: (line) => log.warn(line), other: (line) => log.debug(line) });
}

/** Collects grpc-js's lines (e.g. while binding, before any system logger exists) until released. */
export function captureGrpcLogs(): { readonly lines: string[]; release(): void } {
  const lines: string[] = [];
  const keep: Line = (line) => void lines.push(line);
  return { lines, release: push({ error: keep, other: keep }) };
}
