// Messages between the remote bench client (remote/client.ts) and server (remote/server.ts): plain
// data, so they travel with casty's default serialization (no registration).
import type { ActorRef } from "../../src/index.js";

/** The system name both processes use (the handshake refuses a different one). */
export const SYSTEM = "bench";

export interface Tick {
  readonly kind: "tick";
  readonly n: number;
}
/** Sent after the last tick of a run: the sink checks what it got and replies. */
export interface Done {
  readonly kind: "done";
  readonly sent: number;
  readonly replyTo: ActorRef<SinkReport>;
}
/** Sent before the first tick of a run: the sink starts counting from zero. */
export interface Start {
  readonly kind: "start";
}
export type SinkMsg = Start | Tick | Done;
export interface SinkReport {
  readonly received: number;
  /** Ticks whose `n` was not the one expected next (0 when the run arrived in order). */
  readonly outOfOrder: number;
}

export interface Ping {
  readonly kind: "ping";
  readonly n: number;
  readonly replyTo: ActorRef<Pong>;
}
export interface Pong {
  readonly kind: "pong";
  readonly n: number;
}

export const sinkPath = "/user/sink";
export const echoPath = "/user/echo";
