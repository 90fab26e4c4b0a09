// The sharded entity type of the sharding benches: counts ticks (process-wide, for the tell figure)
// and answers pings with the node it runs on. Beside it, for the cross-node tell figure: a plain sink
// that counts the same ticks, and a probe that answers once this process has counted a given number.
import { Behaviors, ShardEnvelope, type ActorRef, type Behavior } from "../../src/index.js";

export type EntityMsg = { readonly kind: "tick" } | { readonly kind: "ping"; readonly n: number; readonly replyTo: ActorRef<Pong> };
export interface Pong {
  readonly n: number;
  readonly node: string;
}

/** Ticks handled by all entities (and the sink) of this process. */
export const counter = { ticks: 0, target: -1, done: (): void => undefined };

function tick(): void {
  if (++counter.ticks === counter.target) counter.done();
}

export function entity(node: string): (id: string) => Behavior<EntityMsg> {
  return () =>
    Behaviors.receive<EntityMsg>((_ctx, msg) => {
      if (msg.kind === "tick") tick();
      else msg.replyTo.tell({ n: msg.n, node });
      return Behaviors.same();
    });
}

export const REGION = "entities";
export const NUM_SHARDS = 100;

export function ping(id: string, n: number): (replyTo: ActorRef<Pong>) => ShardEnvelope<EntityMsg> {
  return (replyTo) => new ShardEnvelope<EntityMsg>(id, { kind: "ping", n, replyTo });
}

/** The plain actor the cross-node tell figure compares sharded entities with: same ticks, same count. */
export const sink: Behavior<EntityMsg> = Behaviors.receive<EntityMsg>((_ctx, msg) => {
  if (msg.kind === "tick") tick();
  else msg.replyTo.tell({ n: msg.n, node: "sink" });
  return Behaviors.same();
});

/** Asked with a cumulative count: answers once this process has counted that many ticks. */
export interface Reached {
  readonly count: number;
  /** Gets the CPU time (user + system, µs) this process has used so far. */
  readonly replyTo: ActorRef<number>;
}
const cpuMicros = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
export const probe: Behavior<Reached> = Behaviors.setup(() => {
  const waiting: Reached[] = []; // in increasing count: the asker sends them in order
  const answer = (): void => {
    while (waiting.length > 0 && waiting[0].count <= counter.ticks) waiting.shift()!.replyTo.tell(cpuMicros());
    counter.target = waiting.length > 0 ? waiting[0].count : -1;
  };
  counter.done = answer;
  return Behaviors.receive<Reached>((_ctx, reached) => {
    waiting.push(reached);
    answer();
    return Behaviors.same();
  });
});
export const SINK = "sink";
export const PROBE = "probe";
