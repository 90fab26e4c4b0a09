import * as grpc from "@grpc/grpc-js";
import { ConnectResponse, type Handshake } from "../../gen/casty/v1/remote.js";
import type { NodeAddress } from "../../gen/casty/v1/address.js";
import type { Scheduler } from "../actor/scheduler.js";
import { nodeKey, nodeKeyProblem } from "./address.js";
import { closeStream, serveStream } from "./contained.js";
import { readFrame, type InboundHost } from "./inbound-batch.js";
import { InboundTable } from "./inbound-table.js";
import type { Peer } from "./peer.js";
import type { PeerTraffic, TrafficByPeer } from "./peer-traffic.js";
import { DelayedAck } from "./delayed-ack.js";
import { CONNECT_PATH, HANDSHAKE_TIMEOUT, PROTOCOL_VERSION } from "./protocol.js";
import { ReturnLink, type ConnectCall } from "./return-link.js";
import type { SenderRefs } from "./sender-refs.js";

export interface InboundServerHost extends InboundHost, SenderRefs {
  readonly selfNode: NodeAddress;
  readonly scheduler: Scheduler;
  readonly traffic: TrafficByPeer;
  isBlocked(peerKey: string): boolean;
  /** A peer's stream was accepted: this node may send to that peer on it (until `returnLinkClosed`). */
  returnLinkOpened(link: ReturnLink): void;
  returnLinkClosed(link: ReturnLink): void;
}

/** The server side of `RemotingService.Connect`, decoding request frames by hand (see inbound-batch). */
export const remotingServiceDefinition: grpc.ServiceDefinition = {
  connect: {
    path: CONNECT_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: (frame: Buffer) => frame,
    requestDeserialize: (frame: Buffer) => frame,
    // return batches are written as ready frames (see OutboundBatch), the rest as messages
    responseSerialize: (value: ConnectResponse | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(ConnectResponse.encode(value).finish())),
    responseDeserialize: (bytes: Buffer) => ConnectResponse.decode(bytes),
    originalName: "Connect",
  },
};

/**
 * Accepts Connect streams: the first frame must be a valid handshake, then batches are delivered.
 * A newer stream from the same peer (reconnect, new incarnation) replaces the older one.
 */
export class InboundAssociations {
  private readonly byPeer = new Map<string, { uid: bigint; call: ConnectCall; link: ReturnLink }>();

  constructor(private readonly host: InboundServerHost) {}

  readonly handler = (call: ConnectCall): void => {
    const { log, scheduler } = this.host;
    let peer: string | undefined;
    let link: ReturnLink | undefined;
    let traffic: PeerTraffic | undefined;
    const table = new InboundTable(); // the stream's string table and keyed routes
    // Batches are acknowledged with the running count of this stream (see DelayedAck).
    let delivered = 0; // a number: a bigint would be a new heap object per batch
    const acks = new DelayedAck(scheduler, () => call.write({ frame: { $case: "batchAck", value: { batches: BigInt(delivered) } } }));
    // a client that opens a stream and never introduces itself does not hold it forever
    const handshakeTimer = scheduler.setTimeout(() => {
      if (peer !== undefined) return;
      log.warn(`closing a stream from ${call.getPeer()}: no handshake within ${HANDSHAKE_TIMEOUT} ms`);
      closeStream(call, grpc.status.DEADLINE_EXCEEDED, "no handshake in time");
    }, HANDSHAKE_TIMEOUT);
    serveStream(call, log, "remoting", (frame: Buffer) => {
      if (peer !== undefined && this.host.isBlocked(peer)) return;
      let parsed;
      this.host.batchSender = link?.peer; // the peer's ask refs come as bare paths (see SenderRefs)
      this.host.deliveryFlushes.begin();
      try {
        parsed = readFrame(frame, this.host, peer !== undefined, table);
      } catch (error) {
        log.error(`closing the stream from ${peer ?? call.getPeer()}: ${(error as Error).message}`);
        closeStream(call, grpc.status.INVALID_ARGUMENT, (error as Error).message);
        return;
      } finally {
        this.host.batchSender = undefined;
        this.host.deliveryFlushes.end();
      }
      if (parsed.kind === "handshake") {
        if (peer !== undefined) {
          closeStream(call, grpc.status.FAILED_PRECONDITION, "second handshake on one stream");
          return;
        }
        link = this.accept(call, parsed.handshake);
        if (link !== undefined) traffic = this.host.traffic.of((peer = nodeKey(parsed.handshake.origin!.host, parsed.handshake.origin!.port)));
      } else if (peer === undefined) {
        log.error(`refusing a ${parsed.kind} before the handshake from ${call.getPeer()}`);
        closeStream(call, grpc.status.FAILED_PRECONDITION, `a ${parsed.kind} arrived before the handshake`);
      } else if (parsed.kind === "ack") link!.acked(parsed.batches);
      else {
        delivered++;
        traffic!.batchesReceived++;
        traffic!.bytesReceived += frame.length;
        acks.delivered();
      }
    });
    call.on("close", () => {
      link?.close("the peer closed the stream");
      scheduler.clearTimeout(handshakeTimer);
      acks.stop();
      if (peer !== undefined && this.byPeer.get(peer)?.call === call) this.byPeer.delete(peer);
    });
  };

  /** Ends every inbound stream (shutdown). */
  closeAll(): void {
    for (const { call, link } of this.byPeer.values()) {
      link.close("remoting is shut down");
      call.end();
    }
    this.byPeer.clear();
  }

  /** Answers a handshake; when accepted, the return link of the stream. */
  private accept(call: ConnectCall, handshake: Handshake): ReturnLink | undefined {
    const self = this.host.selfNode;
    const refusal = this.check(handshake);
    if (refusal !== undefined) {
      this.host.log.error(`refused connection from ${call.getPeer()}: ${refusal}`);
      call.write({ frame: { $case: "handshakeAck", value: { accepted: false, reason: refusal, responder: self } } });
      closeStream(call, grpc.status.FAILED_PRECONDITION, refusal);
      return undefined;
    }
    const origin = handshake.origin!;
    const key = nodeKey(origin.host, origin.port);
    const previous = this.byPeer.get(key);
    if (previous !== undefined && previous.call !== call) {
      if (previous.uid !== origin.uid) this.host.log.info(`${key} reconnected with a new incarnation ${origin.uid}`);
      previous.link.close("the peer replaced the stream");
      previous.call.end();
    }
    const peer: Peer = { system: origin.system, host: origin.host, port: origin.port, key };
    const link = new ReturnLink(peer, origin.uid, call, (closed) => this.host.returnLinkClosed(closed));
    this.byPeer.set(key, { uid: origin.uid, call, link });
    call.write({ frame: { $case: "handshakeAck", value: { accepted: true, reason: "", responder: self } } });
    this.host.returnLinkOpened(link);
    return link;
  }

  private check(handshake: Handshake): string | undefined {
    const self = this.host.selfNode;
    if (handshake.protocolVersion !== PROTOCOL_VERSION) {
      return `protocol version ${handshake.protocolVersion} is not supported (this node speaks ${PROTOCOL_VERSION})`;
    }
    const origin = handshake.origin;
    if (origin === undefined || origin.host === "" || origin.port === 0) return "handshake without an origin address";
    const badOrigin = nodeKeyProblem(origin.host, origin.port);
    if (badOrigin !== undefined) return `invalid origin address: ${badOrigin}`;
    if (origin.system !== self.system) return `system name "${origin.system}" does not match this node's "${self.system}"`;
    const target = handshake.target;
    if (target !== undefined && target.system !== "" && target.system !== self.system) {
      return `this node runs system "${self.system}", not "${target.system}"`;
    }
    if (target !== undefined && target.uid !== 0n && target.uid !== self.uid) {
      return `incarnation ${target.uid} is gone (this node is incarnation ${self.uid})`;
    }
    return undefined;
  }
}
