// A whole cluster in virtual time: real ClusterDaemons (join, gossip, heartbeats, leader actions,
// downing) on an in-memory network and a seeded scheduler. Crashes and partitions that take seconds
// of real time run in milliseconds, and the same seed always gives the same history.
import { describe, expect, it } from "vitest";
import type { GossipEnvelope, HeartbeatRequest, JoinRequest, JoinResponse } from "../../gen/casty/v1/cluster.js";
import type { Logger } from "../../src/actor/logger.js";
import { ClusterDaemon } from "../../src/cluster/daemon.js";
import { leader } from "../../src/cluster/leader.js";
import { resolveClusterOptions } from "../../src/cluster/options.js";
import type { ClusterTransport } from "../../src/cluster/transport.js";
import { VirtualScheduler } from "../support/virtual-scheduler.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const LATENCY = 1;

class SimCluster {
  readonly scheduler: VirtualScheduler;
  readonly daemons = new Map<string, ClusterDaemon>();
  readonly history: string[] = [];
  readonly out = new Set<string>();
  private readonly crashed = new Set<string>();
  private readonly cut = new Set<string>();

  constructor(seed: number) {
    this.scheduler = new VirtualScheduler(seed);
  }

  start(port: number, seeds: string[]): ClusterDaemon {
    const address = `10.0.0.1:${port}`;
    const transport = this.transport(address);
    const daemon = new ClusterDaemon(
      {
        systemName: "sim",
        selfNode: { system: "sim", host: "10.0.0.1", port, uid: BigInt(port) * 1000n + BigInt(this.daemons.size) },
        scheduler: this.scheduler,
        log: quiet,
        peers: transport,
        publish: (event) =>
          this.history.push(`${Math.round(this.scheduler.now())} ${address} ${event.constructor.name} ${(event as { address?: string }).address ?? ""}`),
        removed: (reason) => {
          this.out.add(address);
          this.history.push(`${Math.round(this.scheduler.now())} ${address} out: ${reason}`);
        },
        stateChanged: () => undefined,
      },
      resolveClusterOptions({ name: "sim", seedNodes: seeds }),
    );
    this.daemons.set(address, daemon);
    daemon.start();
    return daemon;
  }

  /** The process dies: no more timers, no more answers. */
  crash(address: string): void {
    this.crashed.add(address);
    this.daemons.get(address)!.stop();
  }

  partition(sideA: string[], sideB: string[]): void {
    for (const a of sideA) for (const b of sideB) this.cut.add(`${a}|${b}`).add(`${b}|${a}`);
  }

  live(): ClusterDaemon[] {
    return [...this.daemons].filter(([address]) => !this.crashed.has(address) && !this.out.has(address)).map(([, d]) => d);
  }

  upSet(daemon: ClusterDaemon): string {
    return daemon.state.members
      .filter((m) => m.status === "up")
      .map((m) => m.address)
      .join(",");
  }

  private reachable(from: string, to: string): boolean {
    return !this.crashed.has(from) && !this.crashed.has(to) && !this.cut.has(`${from}|${to}`);
  }

  private deliver(from: string, to: string, action: (target: ClusterDaemon) => void): void {
    this.scheduler.setTimeout(() => {
      const target = this.daemons.get(to);
      if (target !== undefined && this.reachable(from, to)) action(target);
    }, LATENCY);
  }

  private transport(self: string): ClusterTransport {
    const sendGossip = (to: string, envelope: GossipEnvelope): void =>
      this.deliver(self, to, (target) =>
        target.onGossip(envelope, (reply) => this.deliver(to, self, (me) => me.onGossip(reply, (back) => sendGossip(to, back)))),
      );
    return {
      sendGossip,
      sendHeartbeat: (to: string, request: HeartbeatRequest) =>
        this.deliver(self, to, (target) => {
          const response = target.answerHeartbeat(request);
          if (response !== undefined) this.deliver(to, self, (me) => me.onHeartbeatResponse(response));
        }),
      join: (to: string, request: JoinRequest, timeout: number) =>
        new Promise<JoinResponse>((resolve, reject) => {
          const timer = this.scheduler.setTimeout(() => reject(new Error("join timed out")), timeout);
          this.deliver(self, to, (target) => {
            const response = target.handleJoin(request);
            this.deliver(to, self, () => {
              this.scheduler.clearTimeout(timer);
              resolve(response);
            });
          });
        }),
    };
  }
}

async function formed(seed: number, size: number): Promise<{ sim: SimCluster; took: number }> {
  const sim = new SimCluster(seed);
  const first = "10.0.0.1:2551";
  for (let i = 0; i < size; i++) sim.start(2551 + i, [first]);
  const all = [...sim.daemons.keys()].sort().join(",");
  const took = await sim.scheduler.until(() => sim.live().every((d) => sim.upSet(d) === all), 10_000);
  return { sim, took };
}

describe("a cluster in virtual time", () => {
  it("forms: every node sees every member Up and the same leader", async () => {
    const { sim, took } = await formed(1, 5);
    expect(took).toBeLessThan(2000);
    const leaders = new Set(sim.live().map((d) => leader(d.state)));
    expect(leaders).toEqual(new Set(["10.0.0.1:2551"]));
  });

  it("detects a crashed node within 3 s and removes it through keep-majority downing within 15 s", async () => {
    const { sim } = await formed(2, 5);
    await sim.scheduler.advance(30_000); // steady state: the detectors learned the real heartbeat interval
    const victim = "10.0.0.1:2553";
    const crashedAt = sim.scheduler.now();
    sim.crash(victim);
    const others = () => sim.live();
    const unreachableAfter = await sim.scheduler.until(
      () =>
        others().every(
          (d) => d.state.reachability.size > 0 && [...d.state.reachability.values()].some((row) => [...row.unreachable].some((k) => k.startsWith(victim))),
        ),
      5000,
    );
    expect(unreachableAfter).toBeLessThanOrEqual(3000);
    await sim.scheduler.until(() => others().every((d) => !d.state.members.some((m) => m.address === victim)), 15_000 - unreachableAfter);
    expect(sim.scheduler.now() - crashedAt).toBeLessThan(15_000);
    expect(others()).toHaveLength(4);
  });

  it("after a 3|2 partition the majority keeps running and the minority downs itself", async () => {
    const { sim } = await formed(3, 5);
    const addresses = [...sim.daemons.keys()].sort();
    const majority = addresses.slice(0, 3);
    const minority = addresses.slice(3);
    sim.partition(majority, minority);
    await sim.scheduler.until(() => minority.every((a) => sim.out.has(a)), 20_000);
    await sim.scheduler.until(() => sim.live().every((d) => d.state.members.length === 3), 10_000);
    expect(
      sim
        .live()
        .map((d) => d.self.address)
        .sort(),
    ).toEqual(majority);
    expect(new Set(sim.live().map((d) => leader(d.state)))).toEqual(new Set([majority[0]]));
  });

  it("is deterministic: the same seed gives the same history", async () => {
    const run = async () => {
      const { sim } = await formed(42, 4);
      sim.crash("10.0.0.1:2552");
      await sim.scheduler.advance(12_000);
      return sim.history;
    };
    const first = await run();
    expect(first.some((line) => line.includes("MemberRemoved 10.0.0.1:2552"))).toBe(true);
    expect(await run()).toEqual(first);
  });
});
