import type { ActorSystem } from "../../actor/system.js";
import { allRegionStats } from "../../sharding/region.js";
import { busiest } from "../metrics/actor-metrics.js";
import { replicationLagOf } from "../metrics/replication-metrics.js";

/** What one node reports about itself to the cluster page (plain data: it travels to other nodes as it is). */
export interface NodeSnapshot {
  readonly address: string;
  readonly uptimeMs: number;
  /** Messages processed by all actors since the node started (the page shows the rate). */
  readonly processed: number;
  readonly deadLetters: number;
  readonly regions: readonly RegionSummary[];
  /** The deepest mailboxes now, deepest first. */
  readonly busiest: readonly { readonly actor: string; readonly depth: number }[];
}

export interface RegionSummary {
  readonly name: string;
  readonly shards: number;
  readonly entities: number;
  /** With replication: events persisted here (as primary) that the slowest replica has not acknowledged. */
  readonly replicationLag?: number;
}

/** This node's snapshot now; `startedAt` is when its ops extension started (about the node's start). */
export function nodeSnapshot(system: ActorSystem, address: string, startedAt: number): NodeSnapshot {
  let processed = 0;
  let deadLetters = 0;
  for (const counters of system.kinds.all) {
    processed += counters.processed;
    deadLetters += counters.deadLetters;
  }
  const regions = [...allRegionStats(system)].map(([name, stats]): RegionSummary => {
    const summary = { name, shards: stats.shards.length, entities: stats.entities };
    const lag = replicationLagOf(stats);
    return lag === undefined ? summary : { ...summary, replicationLag: lag };
  });
  return {
    address,
    uptimeMs: Math.max(0, system.scheduler.now() - startedAt),
    processed,
    deadLetters,
    regions,
    busiest: busiest(system).map(([actor, depth]) => ({ actor, depth })),
  };
}
