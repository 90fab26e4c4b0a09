import type * as grpc from "@grpc/grpc-js";
import {
  ReplicationServiceService,
  type InboundFrame,
  type OutboundFrame,
  type ReplicateRequest,
  type ReplicateResponse,
} from "../../gen/casty/v1/replication.js";
import type { Logger } from "../actor/logger.js";
import type { Scheduler } from "../actor/scheduler.js";
import type { UniqueAddress } from "../cluster/member.js";
import { serveStream } from "../remote/contained.js";
import { Outbox } from "./outbox.js";

export interface ReplicationServiceHost {
  readonly log: Logger;
  readonly scheduler: Scheduler;
  isBlocked(peer: string): boolean;
  /** A frame from `from`; `reply` answers on the same stream (batched per turn). */
  received(from: UniqueAddress, frame: OutboundFrame, reply: (frame: InboundFrame) => void): void;
}

/** Serves ReplicationService on the node's gRPC server; traffic from blocked peers is ignored. */
export function addReplicationService(server: grpc.Server, host: ReplicationServiceHost): void {
  server.addService(ReplicationServiceService, {
    replicate: (call: grpc.ServerDuplexStream<ReplicateRequest, ReplicateResponse>) => {
      let ended = false;
      call.on("end", () => (ended = true));
      call.on("error", () => (ended = true));
      call.on("cancelled", () => (ended = true));
      const outbox = new Outbox<InboundFrame>(host.scheduler, host.log, (frames) => {
        if (!ended) call.write({ frames });
      });
      const reply = (frame: InboundFrame) => outbox.add(frame);
      serveStream(call, host.log, "replication", (request) => {
        if (host.isBlocked(request.node)) return;
        const from = { address: request.node, uid: request.nodeUid };
        for (const frame of request.frames) host.received(from, frame, reply);
      });
    },
  });
}
