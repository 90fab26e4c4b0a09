// Cluster membership in one process: formation, late join with event replay, graceful leave,
// restart with a new incarnation, wrong cluster name.
import { afterEach, describe, expect, it } from "vitest";
import { ClusterEvent, LeaderChanged, MemberLeft, MemberRemoved, MemberUp, type ClusteredActorSystem } from "../../../src/index.js";
import { sleep, waitFor } from "../../support/wait.js";
import { CapturingLogger, ClusterNodes, HealthClient, lowestAddress, upAddresses, view, waitForConvergence } from "./nodes.js";
import { freePorts } from "../../support/free-port.js";

const nodes = new ClusterNodes();
const clients: HealthClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await nodes.shutdownAll();
});

function expectConverged(systems: readonly ClusteredActorSystem[]): void {
  const addresses = systems.map((s) => s.selfAddress).sort();
  for (const system of systems) {
    expect(upAddresses(system)).toEqual(addresses);
    expect(system.cluster.leader).toBe(lowestAddress(addresses));
    expect(system.cluster.selfMember?.status).toBe("up");
  }
}

describe("cluster formation", () => {
  it("a single node forms a cluster and leads it", async () => {
    const [a] = await nodes.cluster(1);
    await a.cluster.whenUp(2000);
    expectConverged([a]);
    expect(a.cluster.state.members).toEqual([{ address: a.selfAddress, status: "up", roles: [], upNumber: 1 }]);
  });

  it.each([3, 5])("%i nodes converge on the same Up set and the lowest address as leader", async (count) => {
    const systems = await nodes.cluster(count);
    expectConverged(systems);
    // and it stays that way (no flapping once converged)
    await sleep(1500);
    expectConverged(systems);
    for (const system of systems) expect(system.cluster.state.unreachable).toEqual([]);
  });

  it("nodes listing the same seeds form one cluster: the first seed bootstraps, the others join it", async () => {
    const ports = await freePorts(3);
    const seeds = ports.slice(0, 2).map((p) => `127.0.0.1:${p}`);
    // started together and in reverse order: the second seed and a non-seed wait for the first seed
    const systems = await Promise.all([ports[2], ports[1], ports[0]].map((port) => nodes.start({ port, seedNodes: seeds, joinRetryInterval: 100 })));
    await waitForConvergence(systems, 5000);
    expectConverged(systems);
    expect(systems.map((s) => s.cluster.leader)).toEqual(systems.map(() => seeds[0]));
  });
});

describe("joining a formed cluster", () => {
  it("a 4th node joins later; a new subscriber gets MemberUp for existing members at once", async () => {
    const three = await nodes.cluster(3);
    const seen: string[] = [];
    const off = three[1].cluster.subscribe(MemberUp, (event) => seen.push(event.address));
    // replayed synchronously, before subscribe returns
    expect(seen.sort()).toEqual(three.map((s) => s.selfAddress).sort());

    const fourth = await nodes.start({ seedNodes: [three[2].selfAddress, three[0].selfAddress], roles: ["backend", "eu"] });
    await fourth.cluster.whenUp(5000);
    const all = [...three, fourth];
    await waitForConvergence(all);
    expectConverged(all);
    await waitFor(() => seen.includes(fourth.selfAddress), 2000, "the live MemberUp of the 4th node");
    // its roles travel with it
    for (const s of all) {
      expect(s.cluster.state.members.find((m) => m.address === fourth.selfAddress)?.roles).toEqual(["backend", "eu"]);
      expect(s.cluster.state.members.filter((m) => m.address !== fourth.selfAddress).every((m) => m.roles.length === 0)).toBe(true);
    }
    expect(seen.filter((a) => a === fourth.selfAddress)).toHaveLength(1);
    off();

    // the 4th node's own subscriber replays all four, and the leader
    const replayed: string[] = [];
    fourth.cluster.subscribe(MemberUp, (event) => replayed.push(event.address));
    expect(replayed.sort()).toEqual(all.map((s) => s.selfAddress).sort());
    const leaders: (string | undefined)[] = [];
    fourth.cluster.subscribe(ClusterEvent, (event) => event instanceof LeaderChanged && leaders.push(event.address));
    expect(leaders).toEqual([lowestAddress(all.map((s) => s.selfAddress))]);
  });
});

describe("graceful leave", () => {
  it("the others see MemberLeft and MemberRemoved and forget the node; its health goes NOT_SERVING", async () => {
    const a = await nodes.start();
    const b = await nodes.start({ seedNodes: [a.selfAddress] });
    const c = await nodes.start({ seedNodes: [a.selfAddress], shutdownWhenRemoved: false });
    const all = [a, b, c];
    await waitForConvergence(all);
    const health = new HealthClient(c.selfAddress);
    clients.push(health);
    expect(await health.check("")).toBe("SERVING");

    const events = new Map<ClusteredActorSystem, string[]>();
    for (const s of [a, b]) {
      const got: string[] = [];
      events.set(s, got);
      s.cluster.subscribe(MemberLeft, (e) => e.address === c.selfAddress && got.push("left"));
      s.cluster.subscribe(MemberRemoved, (e) => e.address === c.selfAddress && got.push(`removed from ${e.previousStatus}`));
    }

    const started = Date.now();
    await c.cluster.leave();
    const took = Date.now() - started;
    expect(took).toBeLessThan(1900); // removed, not the 2 s leaveTimeout
    expect(c.cluster.selfMember).toBeUndefined();
    await waitFor(() => [a, b].every((s) => !view(s).some((m) => m.startsWith(c.selfAddress + ":"))), 3000, "c gone from a and b");
    for (const s of [a, b]) {
      expect(events.get(s)).toEqual(["left", "removed from exiting"]);
      expect(upAddresses(s)).toEqual([a.selfAddress, b.selfAddress].sort());
    }
    expect(await health.check("")).toBe("NOT_SERVING");
    expect(await health.check("casty.v1.Cluster")).toBe("NOT_SERVING");
    await waitForConvergence([a, b]);
  });

  it("shutdown() leaves first: the others remove the node without waiting for failure detection", async () => {
    const [a, b, c] = await nodes.cluster(3);
    const removed: string[] = [];
    a.cluster.subscribe(MemberRemoved, (e) => removed.push(`${e.address}:${e.previousStatus}`));
    await nodes.stop(c);
    expect(c.isTerminated).toBe(true);
    await waitFor(() => removed.length === 1, 2000, "c removed on a");
    expect(removed).toEqual([`${c.selfAddress}:exiting`]);
    await waitForConvergence([a, b], 2000);
  });
});

describe("restart with a new incarnation", () => {
  it("a node that crashed and restarts on the same port joins with a new uid; the old incarnation is removed", async () => {
    const opts = { heartbeatInterval: 200, failureDetector: { acceptableHeartbeatPause: 600 } };
    const [a, b, c] = await nodes.cluster(3, opts);
    const port = c.port;
    const oldUid = c.uid;
    const cAddress = c.selfAddress;
    const removed: { address: string; previousStatus: string }[] = [];
    a.cluster.subscribe(MemberRemoved, (e) => removed.push({ address: e.address, previousStatus: e.previousStatus }));

    // crash: c falls silent (nothing it says reaches anyone), then its node stops and frees the port
    for (const peer of [a, b]) c.blockPeer(peer.selfAddress);
    nodes.release(c);
    await c.shutdown();

    const c2 = await nodes.start({ ...opts, port, seedNodes: [a.selfAddress] });
    expect(c2.selfAddress).toBe(cAddress);
    expect(c2.uid).not.toBe(oldUid);
    await c2.cluster.whenUp(15_000);
    await waitForConvergence([a, b, c2], 5000);
    // the old incarnation left by being downed and removed, not gracefully
    expect(removed).toEqual([{ address: cAddress, previousStatus: "down" }]);
    // white box: the member at c's address is the new incarnation everywhere
    for (const s of [a, b, c2]) {
      const members = s.cluster.daemon.state.members;
      expect(members.find((m) => m.address === cAddress)?.uid).toBe(c2.uid);
    }
  });
});

describe("wrong cluster name", () => {
  it("a node of another cluster never joins through the seed, and the refusal is logged as an error", async () => {
    const seedLog = new CapturingLogger();
    const a = await nodes.start({ logger: seedLog });
    await a.cluster.whenUp(2000);
    const log = new CapturingLogger();
    const stranger = await nodes.start({ name: "other", seedNodes: [a.selfAddress], logger: log, joinRetryInterval: 100 });
    await waitFor(() => log.matching(/refused the join/, "error").length > 0, 3000, "the refusal in the stranger's log");
    await sleep(1000);
    expect(stranger.cluster.selfMember).toBeUndefined();
    expect(stranger.cluster.state.members).toEqual([]);
    expect(view(a)).toEqual([`${a.selfAddress}:up`]);
    const refusal = log.matching(/refused the join/, "error")[0].message;
    expect(refusal).toContain('"test"');
    expect(refusal).toContain('"other"');
    // refused every attempt (every 100 ms), but each side logs the error once, then at debug level
    expect(log.matching(/refused the join/, "debug").length).toBeGreaterThanOrEqual(5);
    expect(log.matching(/refused the join/, "error")).toHaveLength(1);
    expect(seedLog.matching(/cluster "other" is not "test"/, "error")).toHaveLength(1);
  });
});
