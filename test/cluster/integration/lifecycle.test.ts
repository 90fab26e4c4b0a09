// Member life-cycle corner cases: the leader leaving, everyone leaving at once, seeds partly down,
// a downed incarnation that cannot come back, leave() while still joining.
import { afterEach, describe, expect, it } from "vitest";
import { LeaderChanged, MemberRemoved, type ClusteredActorSystem } from "../../../src/index.js";
import { sleep, waitFor } from "../../support/wait.js";
import { ClusterNodes, lowestAddress, view, waitForConvergence } from "./nodes.js";

const nodes = new ClusterNodes();
afterEach(() => nodes.shutdownAll());

function byAddress(systems: readonly ClusteredActorSystem[]): ClusteredActorSystem[] {
  return [...systems].sort((x, y) => (lowestAddress([x.selfAddress, y.selfAddress]) === x.selfAddress ? -1 : 1));
}

describe("life cycle", () => {
  it("the leader leaves: it is removed through Exiting, the next address leads", async () => {
    const [a, b, c] = byAddress(await nodes.cluster(3));
    const removed: string[] = [];
    const leaders: (string | undefined)[] = [];
    b.cluster.subscribe(MemberRemoved, (e) => removed.push(`${e.address}:${e.previousStatus}`));
    b.eventStream.subscribe(LeaderChanged, (e) => leaders.push(e.address));
    const started = Date.now();
    await nodes.stop(a);
    expect(Date.now() - started).toBeLessThan(1500); // not the 2 s leaveTimeout
    await waitForConvergence([b, c], 3000);
    expect(removed).toEqual([`${a.selfAddress}:exiting`]);
    expect(b.cluster.leader).toBe(b.selfAddress);
    expect(leaders.at(-1)).toBe(b.selfAddress);
  });

  it("every node shutting down at once finishes promptly", async () => {
    const systems = await nodes.cluster(4);
    const started = Date.now();
    await Promise.all(systems.map((s) => nodes.stop(s)));
    expect(Date.now() - started).toBeLessThan(2500);
    for (const s of systems) expect(s.isTerminated).toBe(true);
  });

  it("joins through the second seed when the first one is not there", async () => {
    const a = await nodes.start();
    await a.cluster.whenUp(2000);
    const b = await nodes.start({ seedNodes: ["127.0.0.1:1", a.selfAddress] });
    await b.cluster.whenUp(3000);
    await waitForConvergence([a, b], 2000);
  });

  it("a node downed during a partition stays out after it heals; a restart (new uid) may join", async () => {
    const opts = { heartbeatInterval: 200, failureDetector: { acceptableHeartbeatPause: 600 }, downing: { stableAfter: 800 } };
    const [a, b] = byAddress(await nodes.cluster(2, opts));
    // c alone on its side, kept running after it is out
    const c = await nodes.start({ ...opts, seedNodes: [a.selfAddress], shutdownWhenRemoved: false });
    await waitForConvergence([a, b, c], 3000);
    const cPort = c.port;
    for (const s of [a, b]) {
      s.blockPeer(c.selfAddress);
      c.blockPeer(s.selfAddress);
    }
    await waitForConvergence([a, b], 10_000);
    await waitFor(() => c.cluster.selfMember?.status !== "up", 5000, "c to down itself");
    expect(c.cluster.selfMember === undefined || c.cluster.selfMember.status === "down").toBe(true);
    for (const s of [a, b]) {
      s.unblockPeer(c.selfAddress);
      c.unblockPeer(s.selfAddress);
    }
    await sleep(1000);
    await waitForConvergence([a, b], 1000);
    expect(c.cluster.selfMember === undefined || c.cluster.selfMember.status === "down").toBe(true);
    expect(c.isTerminated).toBe(false);

    await nodes.stop(c);
    const c2 = await nodes.start({ ...opts, port: cPort, seedNodes: [a.selfAddress] });
    await c2.cluster.whenUp(5000);
    await waitForConvergence([a, b, c2], 3000);
  });

  it("leave() while still joining resolves and leaves nothing behind", async () => {
    const pending = await nodes.start({ seedNodes: ["127.0.0.1:1"] });
    const started = Date.now();
    await pending.cluster.leave();
    expect(Date.now() - started).toBeLessThan(500);
    expect(pending.cluster.selfMember).toBeUndefined();
  });

  it("a member downed by an operator is removed everywhere and its process stops", async () => {
    const [a, b, c] = byAddress(await nodes.cluster(3));
    nodes.release(c);
    b.cluster.down(c.selfAddress);
    await waitForConvergence([a, b], 3000);
    await waitFor(() => c.isTerminated, 3000, "c stopping");
    expect(view(a)).toEqual([a.selfAddress, b.selfAddress].sort().map((x) => `${x}:up`));
  });
});
