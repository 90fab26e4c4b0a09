import type * as grpc from "@grpc/grpc-js";
import type { ConnectResponse } from "../../gen/casty/v1/remote.js";
import type { Peer } from "./endpoint.js";

/** A Connect stream as its responder sees it: it writes acks and handshake answers, and return batches as raw frames. */
export type ConnectCall = grpc.ServerDuplexStream<Buffer, ConnectResponse | Buffer>;

/**
 * The response side of a Connect stream that a peer opened to this node: this node's endpoint for that
 * peer can send its batches back on it (`ConnectResponse.return_batch`) instead of dialing a stream of
 * its own. The endpoint that uses it listens for the peer's acks and for the stream's end.
 */
export class ReturnLink {
  /** Set by the endpoint that writes to this link: the peer acknowledged this many return batches in all. */
  onAck: ((batches: bigint) => void) | undefined;
  /** Set by the endpoint that writes to this link: the stream is gone (what is unacknowledged is lost). */
  onClose: ((reason: string) => void) | undefined;
  private closed = false;

  constructor(
    readonly peer: Peer,
    /** The peer's incarnation, from its handshake. */
    readonly uid: bigint,
    private readonly call: ConnectCall,
    /** Runs once the link is closed, after the endpoint heard of it. */
    private readonly gone: (link: ReturnLink) => void,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  write(frame: Buffer, written: () => void): boolean {
    return this.call.write(frame, written);
  }

  onDrain(listener: () => void): void {
    this.call.on("drain", listener);
  }

  acked(batches: bigint): void {
    this.onAck?.(batches);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.(reason);
    this.gone(this);
  }
}
