import type * as grpc from "@grpc/grpc-js";
import { ConnectRequest, type ConnectResponse } from "../../gen/casty/v1/remote.js";
import type { Scheduler } from "../actor/scheduler.js";
import type { Peer } from "./peer.js";
import { readReturnBatch, type InboundHost } from "./inbound-batch.js";
import { InboundTable } from "./inbound-table.js";
import { DelayedAck } from "./delayed-ack.js";
import type { SenderRefs } from "./sender-refs.js";

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

/**
 * The dialer's side of return batches on one of its streams: delivers them against the stream's key
 * table and acknowledges them (a few ms later, one ack for many) with the running count.
 */
export class ReturnBatches {
  /** Return batches delivered (a number: a bigint would be a new heap object per batch). */
  private delivered = 0;
  private readonly table = new InboundTable(); // of the return batches
  private readonly acks: DelayedAck;

  constructor(
    private readonly host: InboundHost & SenderRefs & { readonly scheduler: Scheduler },
    /** The peer at the other end of the stream: the return batches are its messages. */
    private readonly sender: Peer,
    /** Writes the ack frame on the stream, if it is still in use. */
    writeAck: (frame: Buffer) => void,
  ) {
    this.acks = new DelayedAck(host.scheduler, () =>
      writeAck(Buffer.from(ConnectRequest.encode({ frame: { $case: "batchAck", value: { batches: BigInt(this.delivered) } } }).finish())),
    );
  }

  /** Delivers a return batch (throws MalformedFrameError for a bad one). */
  receive(frame: Buffer): void {
    const host = this.host;
    host.batchSender = this.sender;
    host.deliveryFlushes.begin();
    try {
      readReturnBatch(frame, host, this.table);
    } finally {
      host.batchSender = undefined;
      host.deliveryFlushes.end();
    }
    this.delivered++;
    this.acks.delivered();
  }

  /** The stream is gone: no more acks. */
  stop(): void {
    this.acks.stop();
  }
}
