import type { Registry } from "prom-client";
import type { ActorSystem } from "../../actor/system.js";
import { collectedCounter, collectedGauge, type Sample } from "./collected.js";

/** Actors whose mailbox depth is reported one by one (the deepest at scrape time). */
const BUSIEST = 5;

/** Messages processed and dead letters per kind of actor; mailbox depth of the busiest actors. */
export function actorMetrics(registry: Registry, system: ActorSystem): void {
  const perKind = (field: "processed" | "deadLetters") =>
    function* (): Iterable<Sample<"kind">> {
      for (const counters of system.kinds.all) yield [{ kind: counters.kind }, counters[field]];
    };
  collectedCounter(registry, {
    name: "casty_messages_processed_total",
    help: "Messages processed by actors, by kind (a top-level actor with everything below it, e.g. a shard region and its entities)",
    labelNames: ["kind"],
    read: perKind("processed"),
  });
  collectedCounter(registry, {
    name: "casty_dead_letters_total",
    help: "Messages that could not be delivered, by the kind of their recipient",
    labelNames: ["kind"],
    read: perKind("deadLetters"),
  });
  collectedGauge(registry, {
    name: "casty_mailbox_messages",
    help: "Messages waiting in the mailboxes of the busiest actors (the deepest at scrape time), by actor path",
    labelNames: ["actor"],
    read: () => busiest(system).map(([actor, depth]) => [{ actor }, depth] as const),
  });
}

/** The `BUSIEST` actors with the deepest mailboxes, deepest first (empty mailboxes left out). */
export function busiest(system: ActorSystem): [path: string, depth: number][] {
  const top: [string, number][] = [];
  system.visitActors((path, _counters, depth) => {
    if (depth === 0 || (top.length === BUSIEST && depth <= top[BUSIEST - 1][1])) return;
    top.push([path, depth]);
    top.sort((a, b) => b[1] - a[1]);
    if (top.length > BUSIEST) top.pop();
  });
  return top;
}
