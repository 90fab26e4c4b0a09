import type { GossipEnvelope, HeartbeatRequest, JoinRequest, JoinResponse } from "../../gen/casty/v1/cluster.js";

/**
 * What the membership engine sends to other nodes. gRPC streams in production (`PeerStreams`); an
 * in-memory network in deterministic simulations. Answers come back through the daemon's `onGossip`
 * and `onHeartbeatResponse`.
 */
export interface ClusterTransport {
  sendGossip(peerKey: string, envelope: GossipEnvelope): void;
  sendHeartbeat(peerKey: string, request: HeartbeatRequest): void;
  join(peerKey: string, request: JoinRequest, timeout: number): Promise<JoinResponse>;
}
