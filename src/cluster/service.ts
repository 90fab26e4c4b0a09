import type * as grpc from "@grpc/grpc-js";
import { status } from "@grpc/grpc-js";
import { fromNodeAddress } from "./codec.js";
import {
  ClusterServiceService,
  type GossipRequest,
  type GossipResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JoinRequest,
  type JoinResponse,
  type LeaveRequest,
  type LeaveResponse,
} from "../../gen/casty/v1/cluster.js";
import type { NodeAddress } from "../../gen/casty/v1/address.js";
import type { Logger } from "../actor/logger.js";
import { failure, serveStream, serveUnary } from "../remote/contained.js";
import type { ClusterDaemon } from "./daemon.js";
import type { PeerStreams } from "./peer-streams.js";

export interface ClusterServiceHost {
  readonly log: Logger;
  readonly daemon: ClusterDaemon;
  readonly peers: PeerStreams;
  isBlocked(peerKey: string): boolean;
}

/**
 * Server side of ClusterService on the node's one gRPC server; traffic from blocked peers is ignored.
 * A request with a node address that cannot be one (empty host, port out of range) is refused with
 * INVALID_ARGUMENT (streams are closed), and the node goes on.
 */
export function addClusterService(server: grpc.Server, host: ClusterServiceHost): void {
  const { daemon, log } = host;
  // throws for an invalid address: the handler wrappers turn that into a status
  const blocked = (node: NodeAddress | undefined) => node !== undefined && host.isBlocked(fromNodeAddress(node).address);
  const unavailable = () => failure(status.UNAVAILABLE, "blocked");
  const implementation: grpc.UntypedServiceImplementation = {
    join: serveUnary<JoinRequest, JoinResponse>(log, "join", (request) => (blocked(request.node) ? unavailable() : daemon.handleJoin(request))),
    leave: serveUnary<LeaveRequest, LeaveResponse>(log, "leave", (request) => {
      if (blocked(request.node)) return unavailable();
      daemon.handleLeave(request.node);
      return {};
    }),
    gossip: (call: grpc.ServerDuplexStream<GossipRequest, GossipResponse>) =>
      serveStream(call, log, "gossip", (request) => {
        const envelope = request.envelope;
        if (envelope === undefined || blocked(envelope.from)) return;
        daemon.onGossip(envelope, (reply) => call.write({ envelope: reply }));
      }),
    heartbeat: (call: grpc.ServerDuplexStream<HeartbeatRequest, HeartbeatResponse>) =>
      serveStream(call, log, "heartbeat", (request) => {
        if (blocked(request.from)) return;
        const response = daemon.answerHeartbeat(request);
        if (response !== undefined) call.write(response);
      }),
  };
  // gossip answers count toward this node's gossip traffic too
  const gossip = ClusterServiceService.gossip;
  const definition = {
    ...ClusterServiceService,
    gossip: {
      ...gossip,
      responseSerialize: (response: GossipResponse) => {
        const bytes = gossip.responseSerialize(response);
        host.peers.traffic.gossipBytes += bytes.length;
        return bytes;
      },
    },
  };
  server.addService(definition, implementation);
}
