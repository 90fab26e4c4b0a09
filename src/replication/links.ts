import type * as grpc from "@grpc/grpc-js";
import { ReplicationServiceService as service, type ReplicateRequest, type ReplicateResponse, type ReplicationFrame } from "../../gen/casty/v1/replication.js";
import type { Logger } from "../actor/logger.js";
import type { Scheduler } from "../actor/scheduler.js";
import type { UniqueAddress } from "../cluster/member.js";
import { Outbox } from "./outbox.js";

export interface LinksHost {
  readonly log: Logger;
  readonly scheduler: Scheduler;
  readonly selfNode: UniqueAddress;
  client(peer: string): grpc.Client;
  isBlocked(peer: string): boolean;
  /** A stream to `peer` was (re)opened: what it missed while there was none may need announcing. */
  opened(peer: string): void;
}

type Call = grpc.ClientDuplexStream<ReplicateRequest, ReplicateResponse>;

interface Link {
  call: Call | undefined;
  readonly outbox: Outbox<ReplicationFrame>;
}

/**
 * The streams this node sends its frames on, one per peer, opened on first use and dropped when they
 * fail (the next frame opens a new one). Frames to a blocked peer are lost, as on a cut network. The
 * peer answers on its own stream to this node.
 */
export class Links {
  private readonly links = new Map<string, Link>();
  private closed = false;

  constructor(private readonly host: LinksHost) {}

  send(peer: string, frame: ReplicationFrame): void {
    if (this.closed) return;
    let link = this.links.get(peer);
    if (link === undefined) {
      const created: Link = { call: undefined, outbox: new Outbox(this.host.scheduler, this.host.log, (frames) => this.write(peer, created, frames)) };
      this.links.set(peer, (link = created));
    }
    link.outbox.add(frame);
  }

  /** The peer left: its stream closes. */
  forget(peer: string): void {
    const link = this.links.get(peer);
    this.links.delete(peer);
    link?.call?.cancel();
  }

  close(): void {
    this.closed = true;
    for (const link of this.links.values()) link.call?.end();
    this.links.clear();
  }

  private write(peer: string, link: Link, frames: ReplicationFrame[]): void {
    if (this.closed || this.host.isBlocked(peer) || this.links.get(peer) !== link) return;
    const { address, uid } = this.host.selfNode;
    let call = link.call;
    if (call === undefined) {
      call = link.call = this.open(peer, link);
      this.host.opened(peer); // its frames join this turn's batch when sent now
    }
    call.write({ node: address, nodeUid: uid, frames });
  }

  private open(peer: string, link: Link): Call {
    const call: Call = this.host
      .client(peer)
      .makeBidiStreamRequest(service.replicate.path, service.replicate.requestSerialize, service.replicate.responseDeserialize);
    const drop = () => {
      if (link.call === call) link.call = undefined;
    };
    call.on("error", (error: grpc.ServiceError) => {
      drop();
      this.host.log.debug(`replication stream to ${peer} failed: ${error.details || error.message}`);
    });
    call.on("end", () => {
      drop();
      call.end();
    });
    return call;
  }
}
