import * as grpc from "@grpc/grpc-js";
import { fromNodeAddress } from "./codec.js";
import {
  ClusterServiceService,
  type ClusterServiceServer,
  type GossipRequest,
  type GossipResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
} from "../../gen/casty/v1/cluster.js";
import type { ClusterDaemon } from "./daemon.js";
import type { PeerStreams } from "./peer-streams.js";

/** Server side of ClusterService on the node's one gRPC server; traffic from blocked peers is ignored. */
export function addClusterService(
  server: grpc.Server,
  daemon: ClusterDaemon,
  peers: PeerStreams,
  isBlocked: (peerKey: string) => boolean,
): void {
  const blocked = (node: { host: string; port: number } | undefined) => node !== undefined && isBlocked(fromNodeAddress({ ...node, system: "", uid: 0n }).address);
  const implementation: ClusterServiceServer = {
    join(call, callback) {
      if (blocked(call.request.node)) return callback({ code: grpc.status.UNAVAILABLE, details: "blocked" });
      callback(null, daemon.handleJoin(call.request));
    },
    leave(call, callback) {
      if (blocked(call.request.node)) return callback({ code: grpc.status.UNAVAILABLE, details: "blocked" });
      daemon.handleLeave(call.request.node);
      callback(null, {});
    },
    gossip(call: grpc.ServerDuplexStream<GossipRequest, GossipResponse>) {
      call.on("data", (request: GossipRequest) => {
        const envelope = request.envelope;
        if (envelope === undefined || blocked(envelope.from)) return;
        daemon.onGossip(envelope, (reply) => call.write({ envelope: reply }));
      });
      call.on("end", () => call.end());
      call.on("error", () => undefined);
    },
    heartbeat(call: grpc.ServerDuplexStream<HeartbeatRequest, HeartbeatResponse>) {
      call.on("data", (request: HeartbeatRequest) => {
        if (blocked(request.from)) return;
        const response = daemon.answerHeartbeat(request);
        if (response !== undefined) call.write(response);
      });
      call.on("end", () => call.end());
      call.on("error", () => undefined);
    },
  };
  // gossip answers count toward this node's gossip traffic too
  const gossip = ClusterServiceService.gossip;
  const definition = {
    ...ClusterServiceService,
    gossip: {
      ...gossip,
      responseSerialize: (response: GossipResponse) => {
        const bytes = gossip.responseSerialize(response);
        peers.traffic.gossipBytes += bytes.length;
        return bytes;
      },
    },
  };
  server.addService(definition, implementation);
}
