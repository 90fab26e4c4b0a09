// Heartbeats and reachability between in-process nodes: detectors fed with real intervals,
// unreachable and reachable again without downing, detection time with fast settings.
import { afterEach, describe, expect, it } from "vitest";
import { MemberDowned, ReachableMember, UnreachableMember, type ClusteredActorSystem } from "../../../src/index.js";
import type { PhiDetector } from "../../../src/cluster/phi-detector.js";
import { sleep, waitFor } from "../../support/wait.js";
import { ClusterNodes, lowestAddress, waitForConvergence } from "./nodes.js";

const nodes = new ClusterNodes();
afterEach(() => nodes.shutdownAll());

function isolate(node: ClusteredActorSystem, others: readonly ClusteredActorSystem[], blocked: boolean): void {
  for (const other of others) {
    if (blocked) {
      node.blockPeer(other.selfAddress);
      other.blockPeer(node.selfAddress);
    } else {
      node.unblockPeer(other.selfAddress);
      other.unblockPeer(node.selfAddress);
    }
  }
}

/** White box: the phi detectors a node keeps for the peers it monitors. */
function detectors(system: ClusteredActorSystem): Map<string, PhiDetector> {
  return (system.cluster.daemon as unknown as { detectors: Map<string, PhiDetector> }).detectors;
}

describe("failure detection", () => {
  it("a detector started for an established member learns the real heartbeat interval (no round-trip-sized first sample)", async () => {
    // each node monitors only its successor on the address ring: when B leaves, A starts monitoring C
    const systems = await nodes.cluster(4, { heartbeatInterval: 200, monitoredBy: 1 });
    const [a, b, c] = [...systems].sort((x, y) => (lowestAddress([x.selfAddress, y.selfAddress]) === x.selfAddress ? -1 : 1));
    await waitFor(() => detectors(a).size > 0, 1000, "a monitoring");
    expect([...detectors(a).keys()]).toEqual([b.selfAddress]);
    await nodes.stop(b);
    await waitFor(() => detectors(a).has(c.selfAddress), 3000, "a monitoring c");
    await sleep(1300);
    const measured = detectors(a).get(c.selfAddress)!.intervals.slice(2); // after the two seeded from firstHeartbeatEstimate
    expect(measured.length).toBeGreaterThanOrEqual(4);
    for (const interval of measured) expect(interval, measured.map(Math.round).join(", ")).toBeGreaterThan(100);
  });

  it("a node cut off for a while is unreachable, then reachable again when heartbeats return; no one is downed", async () => {
    const opts = { heartbeatInterval: 100, failureDetector: { acceptableHeartbeatPause: 300 }, downing: { stableAfter: 20_000 } };
    const systems = await nodes.cluster(3, opts);
    const [a, b, c] = systems;
    const events: string[] = [];
    a.cluster.subscribe(UnreachableMember, (e) => events.push(`unreachable ${e.address}`));
    a.cluster.subscribe(ReachableMember, (e) => events.push(`reachable ${e.address}`));
    a.cluster.subscribe(MemberDowned, (e) => events.push(`downed ${e.address}`));

    const cutAt = Date.now();
    isolate(c, [a, b], true);
    await waitFor(() => events.length > 0, 3000, "c unreachable on a");
    const detectedAfter = Date.now() - cutAt;
    expect(events).toEqual([`unreachable ${c.selfAddress}`]);
    expect(a.cluster.state.unreachable).toEqual([c.selfAddress]);
    // c sees both others unreachable; its leader is itself now, but it cannot act without convergence
    await waitFor(() => c.cluster.state.unreachable.length === 2, 3000, "a and b unreachable on c");
    expect(c.cluster.selfMember?.status).toBe("up");

    isolate(c, [a, b], false);
    await waitForConvergence(systems, 5000);
    // c's own observations (a and b unreachable) reach a with c's first gossip after the heal, until
    // c hears their heartbeats again: b may flicker on a, but c came back exactly once
    const aboutC = events.filter((e) => e.endsWith(c.selfAddress));
    expect(aboutC).toEqual([`unreachable ${c.selfAddress}`, `reachable ${c.selfAddress}`]);
    const aboutB = events.filter((e) => e.endsWith(b.selfAddress));
    expect(aboutB.length === 0 || aboutB.join() === `unreachable ${b.selfAddress},reachable ${b.selfAddress}`).toBe(true);
    expect(events.filter((e) => e.startsWith("downed"))).toEqual([]);
    expect(detectedAfter).toBeLessThan(1500);
  });
});
