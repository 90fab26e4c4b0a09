import type * as grpc from "@grpc/grpc-js";
import { ReplicationServiceService, type ReplicateRequest, type ReplicateResponse, type ReplicationFrame } from "../../gen/casty/v1/replication.js";
import type { Logger } from "../actor/logger.js";
import type { UniqueAddress } from "../cluster/member.js";
import { serveStream } from "../remote/contained.js";

export interface ReplicationServiceHost {
  readonly log: Logger;
  isBlocked(peer: string): boolean;
  /** A frame from `from` (which gets the answers on this node's own stream to it). */
  received(from: UniqueAddress, frame: ReplicationFrame): void;
}

/** Serves ReplicationService on the node's gRPC server; traffic from blocked peers is ignored. */
export function addReplicationService(server: grpc.Server, host: ReplicationServiceHost): void {
  server.addService(ReplicationServiceService, {
    replicate: (call: grpc.ServerDuplexStream<ReplicateRequest, ReplicateResponse>) =>
      serveStream(call, host.log, "replication", (request) => {
        if (host.isBlocked(request.node)) return;
        const from = { address: request.node, uid: request.nodeUid };
        for (const frame of request.frames) host.received(from, frame);
      }),
  });
}
