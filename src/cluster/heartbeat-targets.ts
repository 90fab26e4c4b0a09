// Which nodes a node monitors with heartbeats: the next few on the ring of sorted addresses (as Akka's
// HeartbeatNodeRing), so each node is watched by a bounded number of others however big the cluster.

import { compareAddresses } from "./member.js";

/** Monitors per node: enough that one observer's hiccup is not the only opinion, cheap at any size. */
export const defaultMonitorCount = 5;

/**
 * The nodes `self` monitors: walking the ring clockwise from `self`, the first `count` reachable
 * nodes. Unreachable nodes met on the way are monitored too (to notice them coming back) but do not
 * count, so the reachable ones keep `count` live observers.
 */
export function heartbeatTargets(nodes: readonly string[], self: string, unreachable: ReadonlySet<string>, count = defaultMonitorCount): string[] {
  const ring = [...new Set([...nodes, self])].sort(compareAddresses);
  const start = ring.indexOf(self);
  const targets: string[] = [];
  let reachable = 0;
  for (let i = 1; i < ring.length && reachable < count; i++) {
    const node = ring[(start + i) % ring.length];
    targets.push(node);
    if (!unreachable.has(node)) reachable++;
  }
  return targets;
}

/** The nodes that monitor `self`: the inverse of heartbeatTargets (who should expect my answers). */
export function heartbeatMonitors(nodes: readonly string[], self: string, unreachable: ReadonlySet<string>, count = defaultMonitorCount): string[] {
  const ring = [...new Set([...nodes, self])];
  return ring.filter((node) => node !== self && heartbeatTargets(ring, node, unreachable, count).includes(self)).sort(compareAddresses);
}
