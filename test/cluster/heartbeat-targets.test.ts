import { describe, expect, it } from "vitest";
import { defaultMonitorCount, heartbeatMonitors, heartbeatTargets } from "../../src/cluster/heartbeat-targets.js";
import { addr } from "./fixtures.js";

const ring = (n: number) => Array.from({ length: n }, (_, i) => addr(i + 1));
const none = new Set<string>();

describe("heartbeat targets", () => {
  it("monitors the next 5 nodes clockwise on the ring of sorted addresses", () => {
    expect(defaultMonitorCount).toBe(5);
    const nodes = ring(10).reverse(); // input order does not matter
    expect(heartbeatTargets(nodes, addr(3), none)).toEqual([4, 5, 6, 7, 8].map(addr));
    expect(heartbeatTargets(nodes, addr(8), none)).toEqual([9, 10, 1, 2, 3].map(addr));
  });

  it("monitors everyone else in small clusters, nobody when alone", () => {
    expect(heartbeatTargets(ring(3), addr(2), none)).toEqual([3, 1].map(addr));
    expect(heartbeatTargets([addr(1)], addr(1), none)).toEqual([]);
    expect(heartbeatTargets([], addr(1), none)).toEqual([]);
  });

  it("keeps watching unreachable nodes without counting them", () => {
    const unreachable = new Set([addr(4), addr(6)]);
    expect(heartbeatTargets(ring(10), addr(3), unreachable)).toEqual([4, 5, 6, 7, 8, 9, 10].map(addr));
    expect(heartbeatTargets(ring(10), addr(3), unreachable, 2)).toEqual([4, 5, 6, 7].map(addr));
    expect(heartbeatTargets(ring(10), addr(3), new Set([addr(9)]), 2)).toEqual([4, 5].map(addr));
  });

  it("every node is monitored by exactly `count` others, and monitors is the inverse of targets", () => {
    const nodes = ring(12);
    for (const self of nodes) {
      const monitors = heartbeatMonitors(nodes, self, none);
      expect(monitors).toHaveLength(5);
      for (const other of nodes) {
        expect(monitors.includes(other)).toBe(other !== self && heartbeatTargets(nodes, other, none).includes(self));
      }
    }
    expect(heartbeatMonitors(ring(10), addr(3), none)).toEqual([1, 2, 8, 9, 10].map(addr));
  });

  it("works for a node not (yet) in the list", () => {
    expect(heartbeatTargets(ring(3), addr(9), none, 2)).toEqual([1, 2].map(addr));
    expect(heartbeatMonitors(ring(3), addr(9), none, 1)).toEqual([addr(3)]);
  });
});
