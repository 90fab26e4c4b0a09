import * as grpc from "@grpc/grpc-js";
import {
  ClusterServiceService as service,
  type GossipEnvelope,
  type GossipResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JoinRequest,
  type JoinResponse,
  type LeaveRequest,
} from "../../gen/casty/v1/cluster.js";
import type { Logger } from "../actor/logger.js";
import type { Scheduler } from "../actor/scheduler.js";
import { guardListener } from "../remote/contained.js";
import type { ClusterTransport } from "./transport.js";

/** What the client side of the cluster service needs from the node. */
export interface PeerStreamsHost {
  readonly log: Logger;
  readonly scheduler: Scheduler;
  client(peerKey: string): grpc.Client;
  isBlocked(peerKey: string): boolean;
  onGossip(envelope: GossipEnvelope, reply: (envelope: GossipEnvelope) => void): void;
  onHeartbeatResponse(response: HeartbeatResponse): void;
}

/** Counts what one node puts on the wire for membership (for the gossip bytes/s figure). */
export interface ClusterTraffic {
  gossipBytes: number;
  heartbeatBytes: number;
}

type GossipCall = grpc.ClientDuplexStream<{ envelope: GossipEnvelope }, GossipResponse>;
type HeartbeatCall = grpc.ClientDuplexStream<HeartbeatRequest, HeartbeatResponse>;

/**
 * Client side of ClusterService: one Gossip and one Heartbeat stream per peer, opened on first use and
 * dropped when they fail (the next round reopens them: gossip and heartbeats are periodic anyway).
 */
export class PeerStreams implements ClusterTransport {
  readonly traffic: ClusterTraffic = { gossipBytes: 0, heartbeatBytes: 0 };
  private readonly gossipCalls = new Map<string, GossipCall>();
  private readonly heartbeatCalls = new Map<string, HeartbeatCall>();
  private closed = false;

  constructor(private readonly host: PeerStreamsHost) {}

  sendGossip(peerKey: string, envelope: GossipEnvelope): void {
    if (this.closed || this.host.isBlocked(peerKey)) return;
    let call = this.gossipCalls.get(peerKey);
    if (call === undefined) {
      const opened: GossipCall = this.host
        .client(peerKey)
        .makeBidiStreamRequest(
          service.gossip.path,
          (request: { envelope: GossipEnvelope }) => this.counted(service.gossip.requestSerialize(request), "gossipBytes"),
          service.gossip.responseDeserialize,
        );
      opened.on(
        "data",
        guardListener(
          this.host.log,
          `gossip to ${peerKey}`,
          () => opened.cancel(),
          (response: GossipResponse) => {
            if (response.envelope !== undefined && !this.host.isBlocked(peerKey)) {
              this.host.onGossip(response.envelope, (reply) => this.sendGossip(peerKey, reply));
            }
          },
        ),
      );
      this.whenBroken(opened, () => this.gossipCalls.get(peerKey) === opened && this.gossipCalls.delete(peerKey), peerKey, "gossip");
      this.gossipCalls.set(peerKey, (call = opened));
    }
    call.write({ envelope });
  }

  sendHeartbeat(peerKey: string, request: HeartbeatRequest): void {
    if (this.closed || this.host.isBlocked(peerKey)) return;
    let call = this.heartbeatCalls.get(peerKey);
    if (call === undefined) {
      const opened: HeartbeatCall = this.host
        .client(peerKey)
        .makeBidiStreamRequest(
          service.heartbeat.path,
          (req: HeartbeatRequest) => this.counted(service.heartbeat.requestSerialize(req), "heartbeatBytes"),
          service.heartbeat.responseDeserialize,
        );
      opened.on(
        "data",
        guardListener(
          this.host.log,
          `heartbeat to ${peerKey}`,
          () => opened.cancel(),
          (response: HeartbeatResponse) => {
            if (!this.host.isBlocked(peerKey)) this.host.onHeartbeatResponse(response);
          },
        ),
      );
      this.whenBroken(opened, () => this.heartbeatCalls.get(peerKey) === opened && this.heartbeatCalls.delete(peerKey), peerKey, "heartbeat");
      this.heartbeatCalls.set(peerKey, (call = opened));
    }
    call.write(request);
  }

  join(peerKey: string, request: JoinRequest, timeout: number): Promise<JoinResponse> {
    return this.unary(peerKey, service.join.path, service.join.requestSerialize(request), service.join.responseDeserialize, timeout);
  }

  async leave(peerKey: string, request: LeaveRequest, timeout: number): Promise<void> {
    await this.unary(peerKey, service.leave.path, service.leave.requestSerialize(request), service.leave.responseDeserialize, timeout);
  }

  /** Drops the streams to a peer (it left or restarted). */
  forget(peerKey: string): void {
    const gossip = this.gossipCalls.get(peerKey);
    const heartbeat = this.heartbeatCalls.get(peerKey);
    this.gossipCalls.delete(peerKey);
    this.heartbeatCalls.delete(peerKey);
    gossip?.cancel();
    heartbeat?.cancel();
  }

  /** Open streams, for tests that check that churn does not grow them. */
  get counts(): { gossip: number; heartbeat: number } {
    return { gossip: this.gossipCalls.size, heartbeat: this.heartbeatCalls.size };
  }

  close(): void {
    this.closed = true;
    for (const call of this.gossipCalls.values()) call.end();
    for (const call of this.heartbeatCalls.values()) call.end();
    this.gossipCalls.clear();
    this.heartbeatCalls.clear();
  }

  private unary<Res>(peerKey: string, path: string, request: Buffer, decode: (bytes: Buffer) => Res, timeout: number): Promise<Res> {
    if (this.closed) return Promise.reject(new Error("cluster transport is closed"));
    if (this.host.isBlocked(peerKey)) return Promise.reject(new Error(`traffic to ${peerKey} is blocked`));
    const { scheduler } = this.host;
    return new Promise((resolve, reject) => {
      // the deadline runs on the scheduler's clock (a grpc-js deadline would read the wall clock)
      const timer = scheduler.setTimeout(() => {
        reject(new Error(`no answer within ${timeout} ms`));
        call.cancel();
      }, timeout);
      const call = this.host.client(peerKey).makeUnaryRequest(
        path,
        (bytes: Buffer) => bytes,
        decode,
        request,
        (error, response) => {
          scheduler.clearTimeout(timer);
          if (error || response === undefined) reject(error ?? new Error("empty response"));
          else resolve(response);
        },
      );
    });
  }

  private counted(bytes: Buffer, counter: keyof ClusterTraffic): Buffer {
    this.traffic[counter] += bytes.length;
    return bytes;
  }

  private whenBroken(call: GossipCall | HeartbeatCall, forget: () => void, peerKey: string, what: string): void {
    call.on("error", (error: grpc.ServiceError) => {
      forget();
      this.host.log.debug(`${what} stream to ${peerKey} failed: ${error.details || error.message}`);
    });
    call.on("end", () => {
      forget();
      call.end();
    });
  }
}
