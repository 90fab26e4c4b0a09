// The sharded entity type of the sharding benches: counts ticks (process-wide, for the tell figure)
// and answers pings with the node it runs on.
import { Behaviors, ShardEnvelope, type ActorRef, type Behavior } from "../../src/index.js";

export type EntityMsg = { readonly kind: "tick" } | { readonly kind: "ping"; readonly n: number; readonly replyTo: ActorRef<Pong> };
export interface Pong {
  readonly n: number;
  readonly node: string;
}

/** Ticks handled by all entities of this process. */
export const counter = { ticks: 0, target: -1, done: (): void => undefined };

export function entity(node: string): (id: string) => Behavior<EntityMsg> {
  return () =>
    Behaviors.receive<EntityMsg>((_ctx, msg) => {
      if (msg.kind === "tick") {
        if (++counter.ticks === counter.target) counter.done();
      } else msg.replyTo.tell({ n: msg.n, node });
      return Behaviors.same();
    });
}

export const REGION = "entities";
export const NUM_SHARDS = 100;

export function ping(id: string, n: number): (replyTo: ActorRef<Pong>) => ShardEnvelope<EntityMsg> {
  return (replyTo) => new ShardEnvelope<EntityMsg>(id, { kind: "ping", n, replyTo });
}
