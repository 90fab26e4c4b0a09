import { Histogram, type Registry } from "prom-client";
import type { ActorSystem } from "../../actor/system.js";
import { replicationAcks } from "../../replication/ack-latency.js";
import { allRegionStats, type RegionStats } from "../../sharding/region.js";
import { collectedGauge, type Sample } from "./collected.js";

/** The replication lag of the shards this node is primary of, and how long persists wait for acks; returns the function that stops listening. */
export function replicationMetrics(registry: Registry, system: ActorSystem): () => void {
  collectedGauge(registry, {
    name: "casty_replication_lag_events",
    help: "Events persisted on this node (as primary) that the slowest replica has not acknowledged, by region",
    labelNames: ["region"],
    *read(): Iterable<Sample<"region">> {
      for (const [region, stats] of allRegionStats(system)) {
        const lag = replicationLagOf(stats);
        if (lag !== undefined) yield [{ region }, lag];
      }
    },
  });
  const ackLatency = new Histogram({
    name: "casty_replication_ack_duration_seconds",
    help: "Time a persist waited for minAcks replicas to acknowledge it (all regions of this process)",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return replicationAcks.add((seconds) => ackLatency.observe(seconds));
}

/** Events persisted on this node (as primary) that the slowest replica has not acknowledged; undefined without replication. */
export function replicationLagOf(stats: RegionStats): number | undefined {
  if (stats.replication === undefined) return undefined;
  let lag = 0;
  for (const shard of stats.replication.values()) lag += shard.lag;
  return lag;
}
