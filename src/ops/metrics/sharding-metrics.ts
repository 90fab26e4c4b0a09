import type { Registry } from "prom-client";
import type { ActorSystem } from "../../actor/system.js";
import { allRegionStats, type RegionStats } from "../../sharding/region.js";
import { collectedCounter, collectedGauge, type Sample } from "./collected.js";

/** Shards and entities per region on this node, and the handoffs and rebalances of each region. */
export function shardingMetrics(registry: Registry, system: ActorSystem): void {
  const perRegion = (read: (stats: RegionStats) => number) =>
    function* (): Iterable<Sample<"region">> {
      for (const [region, stats] of allRegionStats(system)) yield [{ region }, read(stats)];
    };
  collectedGauge(registry, {
    name: "casty_sharding_shards",
    help: "Shards this node owns, by region",
    labelNames: ["region"],
    read: perRegion((s) => s.shards.length),
  });
  collectedGauge(registry, {
    name: "casty_sharding_entities",
    help: "Entities running on this node, by region",
    labelNames: ["region"],
    read: perRegion((s) => s.entities),
  });
  collectedCounter(registry, {
    name: "casty_sharding_handoffs_total",
    help: "Shards this node handed off to another node (rebalance, leave), by region",
    labelNames: ["region"],
    read: perRegion((s) => s.handOffs),
  });
  collectedCounter(registry, {
    name: "casty_sharding_rebalances_total",
    help: "Shard moves the coordinator started while it ran on this node, by region",
    labelNames: ["region"],
    read: perRegion((s) => s.rebalances),
  });
}
