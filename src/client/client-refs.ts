import { BaseActorRef } from "../actor/ref.js";
import type { ActorRef } from "../actor/ref.js";
import type { RefCodec } from "../serialization/ref-codec.js";

/** The `replyTo` an ask's message factory gets: the gateway replaces it with a real reply ref. */
export class GatewayReplyRef extends BaseActorRef<unknown> {
  readonly path = "/gateway/reply";
  readonly address = "casty-gateway:reply";

  tell(): never {
    throw new Error("the reply ref of a ClusterClient ask is filled in by the gateway; it cannot be told from the client");
  }
}

/** A ref that arrived in a reply: its address names an actor in the cluster, which the client does not reach. */
class ClusterActorRef extends BaseActorRef<unknown> {
  constructor(readonly address: string) {
    super();
  }

  get path(): string {
    const start = this.address.indexOf("/", this.address.indexOf("://") + 3);
    return start < 0 ? "/" : this.address.slice(start);
  }

  tell(): never {
    throw new Error(`${this.address} is in the cluster: a ClusterClient reaches sharded entities (client.tell(region, entityId, message))`);
  }
}

/** Refs in messages, seen from outside the cluster: the reply placeholder may only be a message's own `replyTo`. */
export const clientRefs: RefCodec = {
  addressOf(ref: ActorRef<unknown>): string {
    if (ref instanceof GatewayReplyRef) throw new Error("the reply ref of an ask goes into the message's own replyTo field, nowhere else");
    return ref.address;
  },
  resolve: (address) => new ClusterActorRef(address),
};
