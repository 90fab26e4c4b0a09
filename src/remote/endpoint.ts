import type * as grpc from "@grpc/grpc-js";
import { ConnectRequest, ConnectResponse, type HandshakeAck } from "../../gen/casty/v1/remote.js";
import type { NodeAddress } from "../../gen/casty/v1/address.js";
import type { Logger } from "../actor/logger.js";
import { microtask } from "../actor/microtask.js";
import { Queue } from "../actor/queue.js";
import type { ActorRef } from "../actor/ref.js";
import type { Scheduler, TimerHandle } from "../actor/scheduler.js";
import { nodeKey, nodeUri } from "./address.js";
import { guardListener } from "./contained.js";
import type { InboundHost } from "./inbound-batch.js";
import type { ResolvedRemoteOptions } from "./options.js";
import { keyTablePreamble, OutboundBatch, type SealedBatch } from "./outbound-batch.js";
import type { Peer } from "./peer.js";
import type { PeerTraffic, TrafficByPeer } from "./peer-traffic.js";
import { kindOf } from "../actor/actor-kinds.js";
import { SpanKind, startSpan, traced, traceparentOf, withinSpan } from "../actor/tracing.js";
import { BATCH_MAX_BYTES, BATCH_MAX_ENVELOPES, CONNECT_PATH, HANDSHAKE_TIMEOUT, PROTOCOL_VERSION, TAG } from "./protocol.js";
import { ReturnBatches, type ReturnLink } from "./return-link.js";
import type { SenderRefs } from "./sender-refs.js";
import type { Serialization } from "../serialization/index.js";

export type { Peer } from "./peer.js";

/** What an endpoint needs of its node; it delivers the return batches of its own stream too (InboundHost). */
export interface EndpointHost extends InboundHost, SenderRefs {
  readonly log: Logger;
  readonly scheduler: Scheduler;
  readonly options: ResolvedRemoteOptions;
  readonly serialization: Serialization;
  readonly selfNode: NodeAddress;
  readonly traffic: TrafficByPeer;
  client(peerKey: string): grpc.Client;
  isBlocked(peerKey: string): boolean;
  deadLetter(message: unknown, recipient: ActorRef<never> | undefined, reason: string): void;
  /** A handshake with `peer` succeeded; `restarted` when its incarnation differs from the last one seen. */
  associated(peer: Peer, uid: bigint, restarted: boolean): void;
  /** `peer` refused the connection or was unreachable for `undeliveredTimeout`: its queue was dropped. */
  unreachable(peer: Peer): void;
  /** The current endpoint for `peer`: where a retired endpoint sends what refs still hand it. */
  endpointFor(peer: Peer): Endpoint;
}

const identity = (frame: Buffer): Buffer => frame;
const ignore = (): void => undefined;

/** Where batches are written: the endpoint's own stream, or a return link. */
interface BatchSink {
  write(frame: Buffer, written: () => void): boolean;
}

const ACCEPTED = Promise.resolve(true);
/** How long a graceful close waits for a dial under way, and then for acknowledgements. */
const CLOSE_GRACE_MS = 1000;
const REFUSED = Promise.resolve(false);
/** Microtask checkpoints without a new send after which a flush on an idle link writes (see `send`). */
const QUIET_CHECKS = 3;

interface WaitingOffer {
  readonly path: string;
  readonly message: unknown;
  readonly recipient: ActorRef<never>;
  resolve(accepted: boolean): void;
  reject(error: unknown): void;
}

type State = "idle" | "connecting" | "connected" | "waiting" | "closed";

/**
 * The outbound association to one peer: one Connect stream that carries batches of envelopes, either
 * dialed by this node or, when the peer dialed this node first, the response side of the peer's stream
 * (a return link, see ReturnLink): then a request and its reply travel on one stream. It writes to one
 * stream at a time and changes streams only when nothing written is unacknowledged, so the peer
 * receives in send order. Sends queue (bounded) while it connects, reconnects with exponential backoff
 * and jitter, and respects the stream's flow control (`write()` false → wait for `drain`).
 */
export class Endpoint {
  private state: State = "idle";
  /** Closed because the peer left for good, not because this node shuts down. */
  private retired = false;
  private readonly batch: OutboundBatch;
  private readonly sealed = new Queue<SealedBatch>();
  /** Written to the current stream, not yet acknowledged by the peer (they count as queued). */
  private readonly unacked = new Queue<SealedBatch>();
  private queued = 0;
  private call: grpc.ClientDuplexStream<Buffer, Buffer> | undefined;
  /** The return link written to instead of `call`. */
  private link: ReturnLink | undefined;
  /** The newest link the peer opened: used when the endpoint would otherwise dial. */
  private spareLink: ReturnLink | undefined;
  private writable = false;
  /** Nothing written on the current stream yet: its receiver's string table is empty. */
  private freshStream = true;
  private flushPending = false;
  /** Writes handed to the stream whose callback has not come yet. */
  private writing = 0;
  private attempts = 0;
  private timer: TimerHandle | undefined;
  private downSince: number | undefined;
  private peerUid: bigint | undefined;
  private readonly flushNow = () => this.flush();
  /** A flush deferred to the end of a delivery: not if the endpoint flushed or closed meanwhile. */
  private readonly flushDeferred = () => {
    if (this.flushPending) this.flush();
  };
  /** Sends so far, and at the last quiet check: a flush on an idle link waits while they grow. */
  private sends = 0;
  private sendsAtCheck = 0;
  private quietChecks = 0;
  private readonly settle = () => {
    if (!this.flushPending) return; // flushed or closed meanwhile
    if (this.sends !== this.sendsAtCheck) {
      this.sendsAtCheck = this.sends;
      this.quietChecks = 0;
    } else if (++this.quietChecks >= QUIET_CHECKS) {
      try {
        this.flush();
      } catch (error) {
        this.host.log.error(`writing to ${this.peer.key} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      return;
    }
    microtask(this.settle);
  };
  /** Runs when a dial ends, accepted or not (graceful close waits for it). */
  private connectSettled: (() => void) | undefined;
  /** Runs once every written batch is acknowledged (graceful close). */
  private whenAcked: (() => void) | undefined;
  /** Senders waiting in `offer` for room in the outbound queue. */
  private readonly waitingOffers = new Queue<WaitingOffer>();
  private readonly traffic: PeerTraffic;
  /** `casty://name@host:port` of the peer: the prefix of its actors' URIs. */
  readonly node: string;

  constructor(
    readonly peer: Peer,
    private readonly host: EndpointHost,
  ) {
    this.node = nodeUri(peer.system, peer.key);
    this.batch = new OutboundBatch(host.serialization, host.options.maxMessageSize);
    this.traffic = host.traffic.of(peer.key);
  }

  /**
   * Serializes at once (so bad messages fail here) and sends with the batch of this event-loop turn.
   * Returns false when the message became a dead letter instead. `hops` (when not negative) is the
   * forward count a keyed wrapper travels with (see OutboundBatch.append).
   */
  send(path: string, message: unknown, recipient: ActorRef<never>, hops = -1): boolean {
    if (this.state === "closed") {
      if (this.retired) return this.host.endpointFor(this.peer).send(path, message, recipient, hops);
      this.host.deadLetter(message, recipient, "remoting is shut down");
      return false;
    }
    if (this.host.isBlocked(this.peer.key)) {
      this.host.deadLetter(message, recipient, `traffic to ${this.peer.key} is blocked`);
      return false;
    }
    if (this.queued >= this.host.options.outboundQueueSize) {
      this.host.deadLetter(message, recipient, `outbound queue to ${this.peer.key} is full`);
      return false;
    }
    const host = this.host;
    host.encodingForPeer = true;
    try {
      if (traced.current === undefined) this.batch.append(path, message, recipient, hops);
      else this.batch.append(path, message, recipient, hops, this.sendSpan(path));
    } finally {
      host.encodingForPeer = false;
    }
    this.queued++;
    this.sends++;
    const batch = this.batch;
    if (batch.count >= BATCH_MAX_ENVELOPES || batch.bytes >= BATCH_MAX_BYTES || batch.keysFull) this.sealed.push(batch.seal());
    if (!this.flushPending) {
      this.flushPending = true;
      if (this.writing === 0 && this.state === "connected") {
        // an idle link: write once the sending code has settled instead of a loop iteration later, so a
        // lone reply leaves in the turn that produced it: when the inbound batch being delivered ends
        // (an actor replying inline), else after a few microtask checkpoints without a new send
        if (host.deliveryFlushes.delivering) host.deliveryFlushes.defer(this.flushDeferred);
        else {
          this.sendsAtCheck = this.sends;
          this.quietChecks = 0;
          microtask(this.settle);
        }
      } else this.host.scheduler.yieldThen(this.flushNow);
    }
    if (this.state === "idle") this.connect();
    return true;
  }

  /** The traceparent of a producer span for a message sent within a trace (ended at once: the send is one-way). */
  private sendSpan(path: string): string | undefined {
    const self = this.host.selfNode;
    const node = nodeUri(self.system, nodeKey(self.host, self.port));
    const span = startSpan(`casty send ${kindOf(path)}`, SpanKind.PRODUCER, { "casty.node": node, "casty.peer": this.peer.key, "casty.actor": path });
    if (span === undefined) return traceparentOf(traced.current!);
    span.end();
    return traceparentOf(withinSpan(traced.current!, span));
  }

  /** Like `send`, but waits (in order) while the outbound queue is full instead of dropping. */
  offer(path: string, message: unknown, recipient: ActorRef<never>): Promise<boolean> {
    if (this.waitingOffers.length === 0 && this.queued < this.host.options.outboundQueueSize && this.state !== "closed") {
      return this.send(path, message, recipient) ? ACCEPTED : REFUSED; // the common case allocates no promise
    }
    if (this.state === "closed") {
      if (this.retired) return this.host.endpointFor(this.peer).offer(path, message, recipient);
      this.host.deadLetter(message, recipient, "remoting is shut down");
      return REFUSED;
    }
    return new Promise((resolve, reject) => this.waitingOffers.push({ path, message, recipient, resolve, reject }));
  }

  /**
   * Stops at once (the peer is gone for good): what is queued or unconfirmed becomes dead letters with
   * `reason`. Refs still holding this endpoint send through the current one from now on (unless
   * `forward` is false: then they get dead letters, as after shutdown).
   */
  retire(reason: string, forward = true): void {
    if (this.state === "closed") return;
    this.clearTimer();
    const call = this.call;
    this.call = undefined;
    this.link = undefined;
    this.state = "closed";
    this.retired = forward;
    this.flushPending = false;
    call?.cancel();
    this.dropUnacked(reason);
    this.dropQueued(reason);
    this.waitingOffers.drain((offer) => {
      this.host.deadLetter(offer.message, offer.recipient, reason);
      offer.resolve(false);
    });
    this.connectSettled?.();
  }

  get isConnected(): boolean {
    return this.state === "connected";
  }

  /** Sends what is queued, ends the stream, and waits (bounded) for the peer to close it. */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    if (this.state === "connecting") {
      // a dial under way may still deliver what is queued: give its handshake a moment
      const { scheduler } = this.host;
      await new Promise<void>((resolve) => {
        const giveUp = scheduler.setTimeout(resolve, CLOSE_GRACE_MS);
        this.connectSettled = () => (scheduler.clearTimeout(giveUp), resolve());
      });
      this.connectSettled = undefined;
      if ((this.state as State) === "closed") return; // closed meanwhile by a concurrent close
    }
    this.flushPending = false;
    if (this.batch.count > 0) this.sealed.push(this.batch.seal()); // also while a write is on its way
    const call = this.call;
    const link = this.link;
    const wasConnected = this.state === "connected";
    this.state = "closed";
    if (this.timer !== undefined) this.host.scheduler.clearTimeout(this.timer);
    if (link !== undefined && wasConnected) await this.closeLink(link);
    if (call !== undefined && wasConnected) {
      this.sealed.drain((batch) => this.write(call, batch, ignore));
      const { scheduler } = this.host;
      await new Promise<void>((resolve) => {
        const done = scheduler.setTimeout(resolve, CLOSE_GRACE_MS);
        call.on("status", () => (scheduler.clearTimeout(done), resolve()));
        call.on("error", () => (scheduler.clearTimeout(done), resolve()));
        this.whenAcked = () => call.end();
        if (this.unacked.length === 0) call.end();
      });
    }
    call?.cancel();
    this.dropUnacked("remoting shut down before the peer confirmed delivery");
    this.dropQueued("remoting is shut down");
    this.waitingOffers.drain((offer) => {
      this.host.deadLetter(offer.message, offer.recipient, "remoting is shut down");
      offer.resolve(false);
    });
  }

  /** Writes what is queued back on the link and waits (bounded) for its acks; the link stays the peer's. */
  private async closeLink(link: ReturnLink): Promise<void> {
    this.sealed.drain((batch) => this.write(link, batch, ignore));
    const { scheduler } = this.host;
    await new Promise<void>((resolve) => {
      const done = scheduler.setTimeout(resolve, CLOSE_GRACE_MS);
      const finish = () => (scheduler.clearTimeout(done), resolve());
      this.whenAcked = finish;
      link.onClose = finish;
      if (this.unacked.length === 0) finish();
    });
  }

  /**
   * A stream the peer opened to this node. The endpoint writes on it whenever it has no stream of its
   * own (now, if it is between connections); a stream it dialed stays in use while it lasts.
   */
  attach(link: ReturnLink): void {
    if (this.state === "closed") return;
    this.spareLink = link;
    if (this.state === "idle" || this.state === "waiting") this.useLink(link);
  }

  private useLink(link: ReturnLink): void {
    this.clearTimer();
    this.link = link;
    this.state = "connected";
    this.writable = true;
    this.freshStream = true;
    this.writing = 0;
    this.written = () => {
      if (this.link === link && --this.writing === 0 && (this.batch.count > 0 || this.sealed.length > 0) && !this.flushPending) this.flush();
    };
    let acked = 0n;
    link.onAck = (total) => {
      if (this.link !== link) return;
      this.onAck(Number(total - acked));
      acked = total;
    };
    link.onClose = (reason) => this.broken(link, reason, false, true);
    link.onDrain(() => {
      if (this.link !== link) return;
      this.writable = true;
      this.writeSealed();
    });
    this.associatedWith(link.uid);
    this.writeSealed();
  }

  /**
   * Seals the open batch and writes it, unless a write is still on its way to the socket: then the
   * batch stays open and grows until that write completes (as Nagle's algorithm does), so busy links
   * carry full batches while an idle link still sends a lone message at once. On a busy link it runs
   * after the event-loop turn's I/O callbacks and microtasks (`yieldThen`), so that what one turn sends
   * from many promise jobs (replies of asks in flight) is one batch, not one write per reply; on an
   * idle link it runs once the sending code settled (`settle`), still in the turn that sent.
   */
  private flush(): void {
    this.flushPending = false;
    if (this.writing > 0 && this.state === "connected") return;
    if (this.batch.count > 0) this.sealed.push(this.batch.seal());
    this.writeSealed();
  }

  private writeSealed(): void {
    const sink: BatchSink | undefined = this.link ?? this.call;
    if (this.state !== "connected" || sink === undefined) return;
    while (this.writable && this.sealed.length > 0) {
      const batch = this.sealed.shift();
      this.writing++;
      this.traffic.batchesSent++;
      this.traffic.bytesSent += batch.frame.length;
      this.traffic.envelopesSent += batch.messages.length;
      this.writable = this.write(sink, batch, this.written);
    }
  }

  /**
   * Writes one batch, first defining on a new stream the strings it takes from batches of an earlier one
   * (sealed before a reconnect, or lost with the old stream). On a return link a frame goes as a
   * return batch: the same bytes but for the first one, the field tag.
   */
  private write(sink: BatchSink, batch: SealedBatch, written: () => void): boolean {
    const tag = this.link === undefined ? TAG.requestBatch : TAG.responseReturnBatch;
    if (this.freshStream) {
      this.freshStream = false;
      if (batch.keysBefore > 0) {
        const preamble = keyTablePreamble(batch.keyTable, batch.keysBefore);
        preamble.frame[0] = tag;
        this.unacked.push(preamble);
        sink.write(preamble.frame, ignore);
      }
    }
    batch.frame[0] = tag;
    this.unacked.push(batch);
    return sink.write(batch.frame, written);
  }

  /** Write callback of the current stream (a new one per stream, so late callbacks of a broken one do not count). */
  private written: () => void = () => undefined;

  /** The peer delivered `count` more batches of this stream: they leave the queue. */
  private onAck(count: number): void {
    for (let i = 0; i < count && this.unacked.length > 0; i++) this.queued -= this.unacked.shift().messages.length;
    this.wakeWaiters();
    if (this.unacked.length === 0) this.whenAcked?.();
  }

  /** Sends waiting offers, oldest first, while there is room. */
  private wakeWaiters(): void {
    const offers = this.waitingOffers;
    while (offers.length > 0 && this.queued < this.host.options.outboundQueueSize && this.state !== "closed") {
      const offer = offers.shift();
      try {
        this.send(offer.path, offer.message, offer.recipient);
        offer.resolve(true);
      } catch (error) {
        offer.reject(error); // e.g. a SerializationError
      }
    }
  }

  private connect(): void {
    const spare = this.spareLink;
    if (spare !== undefined && !spare.isClosed) return this.useLink(spare);
    this.state = "connecting";
    const { host, peer } = this;
    const call = host.client(peer.key).makeBidiStreamRequest(CONNECT_PATH, identity, identity);
    this.call = call;
    this.writable = true;
    this.freshStream = true;
    this.writing = 0;
    this.written = () => {
      if (this.call === call && --this.writing === 0 && (this.batch.count > 0 || this.sealed.length > 0) && !this.flushPending) this.flush();
    };
    call.write(
      Buffer.from(
        ConnectRequest.encode({
          frame: {
            $case: "handshake",
            value: {
              protocolVersion: PROTOCOL_VERSION,
              origin: host.selfNode,
              target: { system: peer.system, host: peer.host, port: peer.port, uid: 0n },
            },
          },
        }).finish(),
      ),
    );
    this.timer = host.scheduler.setTimeout(() => {
      this.timer = undefined;
      if (this.call === call && this.state === "connecting") {
        this.broken(call, `no handshake answer within ${HANDSHAKE_TIMEOUT} ms`);
        call.cancel();
      }
    }, HANDSHAKE_TIMEOUT);
    let acked = 0n;
    const returned = new ReturnBatches(host, peer, (frame) => {
      if (this.call === call && this.state !== "closed") call.write(frame);
    });
    call.on(
      "data",
      guardListener(
        host.log,
        `connection to ${peer.key}`,
        () => call.cancel(),
        (frame: Buffer) => {
          if (frame[0] === TAG.responseReturnBatch) {
            if (this.call !== call || this.state !== "connected" || host.isBlocked(peer.key)) return;
            returned.receive(frame);
            this.traffic.batchesReceived++;
            this.traffic.bytesReceived += frame.length;
            return;
          }
          const response = ConnectResponse.decode(frame);
          if (response.frame?.$case === "batchAck" && this.call === call) {
            const total = response.frame.value.batches;
            this.onAck(Number(total - acked));
            acked = total;
          } else if (response.frame?.$case === "handshakeAck") this.acknowledged(call, response.frame.value);
        },
      ),
    );
    call.on("drain", () => {
      if (this.call !== call) return;
      this.writable = true;
      this.writeSealed();
    });
    call.on("error", (error: grpc.ServiceError) => {
      returned.stop();
      this.broken(call, error.details || error.message);
    });
    call.on("end", () => {
      returned.stop();
      this.broken(call, "the peer closed the stream", false, true);
    });
  }

  private acknowledged(call: grpc.ClientDuplexStream<Buffer, Buffer>, ack: HandshakeAck): void {
    if (this.call !== call || this.state !== "connecting") return;
    this.clearTimer();
    if (!ack.accepted) {
      this.host.log.error(`${this.peer.system}@${this.peer.key} refused the connection: ${ack.reason}`);
      this.broken(call, `refused: ${ack.reason}`, true);
      call.cancel();
      return;
    }
    this.state = "connected";
    this.associatedWith(ack.responder?.uid ?? 0n);
    this.writeSealed();
  }

  /** The endpoint can deliver to the incarnation `uid` of its peer (through a handshake or a return link). */
  private associatedWith(uid: bigint): void {
    const restarted = this.peerUid !== undefined && this.peerUid !== uid;
    if (restarted) this.host.log.info(`${this.peer.key} restarted (new incarnation ${uid}); association replaced`);
    this.peerUid = uid;
    this.traffic.associations++;
    this.attempts = 0;
    this.downSince = undefined;
    this.host.associated(this.peer, uid, restarted);
    this.connectSettled?.();
  }

  /**
   * The stream in use (`stream`: the dialed call or the return link) is gone. `clean`: the peer ended
   * it itself (it shuts down or replaced it), which is no failure.
   */
  private broken(stream: object, reason: string, refused = false, clean = false): void {
    if ((this.call !== stream && this.link !== stream) || this.state === "closed") return;
    this.clearTimer();
    this.call = undefined;
    this.link = undefined;
    this.writable = false;
    const now = this.host.scheduler.now();
    if (this.state === "connected") {
      if (clean) this.host.log.info(`connection to ${this.peer.key} lost: ${reason}`);
      else this.host.log.warn(`connection to ${this.peer.key} lost: ${reason}`);
    } else this.host.log.debug(`connecting to ${this.peer.key} failed: ${reason}`);
    this.dropUnacked(`connection to ${this.peer.key} lost before it confirmed delivery`);
    this.downSince ??= now;
    if (refused || now - this.downSince >= this.host.options.undeliveredTimeout) {
      this.dropQueued(`${this.peer.key} unreachable: ${reason}`);
      this.host.unreachable(this.peer);
    }
    this.state = "waiting";
    this.connectSettled?.();
    const spare = this.spareLink;
    if (spare !== undefined && spare !== stream && !spare.isClosed) return this.useLink(spare); // nothing is in flight: order holds
    const { minBackoff, maxBackoff } = this.host.options;
    const backoff = Math.min(maxBackoff, minBackoff * 2 ** Math.min(this.attempts++, 20));
    const delay = backoff / 2 + (backoff / 2) * this.host.scheduler.random();
    this.timer = this.host.scheduler.setTimeout(() => {
      this.timer = undefined;
      if (this.state !== "waiting") return;
      this.state = "idle";
      if (this.queued > 0) this.connect();
    }, delay);
  }

  /** What was written but not confirmed may or may not have arrived: it is reported as dead letters. */
  private dropUnacked(reason: string): void {
    this.deadLetterAll(this.unacked, reason);
  }

  private dropQueued(reason: string): void {
    if (this.batch.count > 0) this.sealed.push(this.batch.seal());
    this.deadLetterAll(this.sealed, reason);
  }

  private deadLetterAll(batches: Queue<SealedBatch>, reason: string): void {
    if (batches.length === 0) return;
    let dropped = 0;
    batches.drain((batch) => {
      for (let i = 0; i < batch.messages.length; i++) this.host.deadLetter(batch.messages[i], batch.recipients[i], reason);
      dropped += batch.messages.length;
    });
    this.queued -= dropped;
    this.wakeWaiters();
    this.host.log.warn(`${dropped} message(s) to ${this.peer.key} became dead letters: ${reason}`);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.host.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
