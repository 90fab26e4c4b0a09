// One ClusterDaemon in virtual time with a transport that answers nothing (or what the test says):
// housekeeping and joining as the host sees them.
import { describe, expect, it } from "vitest";
import type { JoinResponse } from "../../gen/casty/v1/cluster.js";
import { ClusterDaemon } from "../../src/cluster/daemon.js";
import type { ClusterState } from "../../src/cluster/membership.js";
import { resolveClusterOptions, type ClusterOptions } from "../../src/cluster/options.js";
import { InvalidOptionError } from "../../src/index.js";
import { CapturingLogger } from "../support/capturing-logger.js";
import { VirtualScheduler } from "../support/virtual-scheduler.js";

function daemon(options: Partial<ClusterOptions> = {}, join: () => Promise<JoinResponse> = () => Promise.reject(new Error("connection refused"))) {
  const scheduler = new VirtualScheduler(1);
  const log = new CapturingLogger();
  const changes: ClusterState[] = [];
  const d = new ClusterDaemon(
    {
      systemName: "sim",
      selfNode: { system: "sim", host: "10.0.0.1", port: 2552, uid: 1n },
      scheduler,
      log,
      peers: { sendGossip: () => undefined, sendHeartbeat: () => undefined, join },
      publish: () => undefined,
      removed: () => undefined,
      stateChanged: (state) => changes.push(state),
    },
    resolveClusterOptions({ name: "sim", ...options }),
  );
  return { d, scheduler, log, changes };
}

describe("tombstone pruning", () => {
  it("goes through the state-change path, so the host sees the pruned state", async () => {
    const { d, scheduler, changes } = daemon();
    d.start();
    await scheduler.advance(10);
    expect(d.isMember).toBe(true);
    d.state = { ...d.state, tombstones: new Map([["10.0.0.9:2552#5", scheduler.now() - 2 * 24 * 3600 * 1000]]) };
    await scheduler.advance(61_000);
    expect(d.state.tombstones.size).toBe(0);
    expect(changes.at(-1)?.tombstones.size).toBe(0);
    d.stop();
  });
});

describe("a join that makes no progress", () => {
  it("logs at warn level naming each seed and its last error, rate limited", async () => {
    const { d, scheduler, log } = daemon({ seedNodes: ["10.0.0.2:2552", "10.0.0.3:2552"] });
    d.start();
    await scheduler.advance(4000);
    expect(log.matching(/has not joined/, "warn")).toHaveLength(0);
    await scheduler.advance(2000);
    const warnings = log.matching(
      /has not joined the cluster after \d+ s; seeds tried: 10\.0\.0\.2:2552 \(connection refused\), 10\.0\.0\.3:2552 \(connection refused\)/,
      "warn",
    );
    expect(warnings).toHaveLength(1);
    await scheduler.advance(60_000);
    expect(log.matching(/has not joined/, "warn").length).toBeLessThanOrEqual(3);
    expect(d.isMember).toBe(false);
    d.stop();
  });
});

describe("seed nodes", () => {
  it("are validated at start: a port out of range or a malformed host is an InvalidOptionError", () => {
    for (const seed of ["127.0.0.1:99999", "127.0.0.1:0", ":25520", "bad host:1", "::1:25520", "127.0.0.1"]) {
      expect(() => resolveClusterOptions({ name: "sim", seedNodes: [seed] }), seed).toThrow(InvalidOptionError);
    }
    expect(resolveClusterOptions({ name: "sim", seedNodes: ["[::1]:25520", "node-1.svc:2552"] }).seedNodes).toHaveLength(2);
  });
});

describe("an unreachable member", () => {
  it("is reported unreachable once, not again after it was downed and removed", async () => {
    const { d, scheduler, log } = daemon({ downing: { stableAfter: 1000 } });
    d.start();
    await scheduler.until(() => d.selfMember?.status === "up", 5000);
    d.state = { ...d.state, members: [...d.state.members, { address: "10.0.0.9:2552", uid: 2n, status: "up", roles: [], upNumber: 2 }] };
    await scheduler.until(() => !d.state.members.some((m) => m.address === "10.0.0.9:2552"), 30_000);
    await scheduler.advance(5000);
    expect(log.matching(/10\.0\.0\.9:2552 is unreachable/, "warn")).toHaveLength(1);
    d.stop();
  });
});
