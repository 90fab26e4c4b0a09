// Remoting and the cluster as extensions of an ActorSystem, and the cluster's leave as part of the
// coordinated shutdown (with the reason that started it).
import { afterEach, describe, expect, it } from "vitest";
import { ShutdownPhase } from "../../../src/actor/coordinated-shutdown.js";
import { ActorSystem, ClusterExtensionId, RemotingId } from "../../../src/index.js";
import { waitFor } from "../../support/wait.js";
import { ClusterNodes, waitForConvergence } from "./nodes.js";

const nodes = new ClusterNodes();
afterEach(() => nodes.shutdownAll());

describe("extensions", () => {
  it("a cluster node has the Remoting and Cluster extensions behind its facade", async () => {
    const a = await nodes.start();
    expect(a.findExtension(ClusterExtensionId)).toBe(a.cluster);
    expect(a.extension(RemotingId)).toBe(a.remoting);
    expect(a.remoting.selfAddress).toBe(a.selfAddress);
    expect(a).toBeInstanceOf(ActorSystem);
    const plain = new ActorSystem({ name: "plain", logLevel: "silent" });
    try {
      expect(plain.findExtension(ClusterExtensionId)).toBeUndefined();
      expect(() => plain.extension(ClusterExtensionId)).toThrow(/not a cluster node/);
      expect(() => plain.extension(RemotingId)).toThrow(/has no remoting/);
    } finally {
      await plain.shutdown();
    }
  });
});

describe("leaving in the coordinated shutdown", () => {
  it("leave() runs it with reason leave: hand-off while Up, the rest after removal", async () => {
    const [a, b] = await nodes.cluster(2);
    nodes.release(b);
    const seen: string[] = [];
    const status = () => b.cluster.selfMember?.status ?? "removed";
    b.coordinatedShutdown.addTask(ShutdownPhase.shardingHandOff, "probe", () => void seen.push(`hand-off:${status()}`));
    b.addLeaveTask(async () => void seen.push(`leave task:${status()}`));
    b.coordinatedShutdown.addTask(ShutdownPhase.beforeActorSystemTerminate, "probe", () => void seen.push(`terminate:${status()}`));
    await b.cluster.leave();
    expect(b.coordinatedShutdown.reason).toBe("leave");
    expect(b.isTerminated).toBe(true);
    expect(seen.sort()).toEqual(["hand-off:up", "leave task:up", "terminate:removed"]);
    await waitForConvergence([a], 3000);
  });

  it("shutdown() runs it with reason shutdown; being downed with reason downed", async () => {
    const [a, b, c] = await nodes.cluster(3);
    nodes.release(b);
    nodes.release(c);
    await b.shutdown();
    expect(b.coordinatedShutdown.reason).toBe("shutdown");
    await waitForConvergence([a, c], 3000);
    a.cluster.down(c.selfAddress);
    await waitFor(() => c.isTerminated, 5000, "c stopping after it was downed");
    expect(c.coordinatedShutdown.reason).toBe("downed");
  });
});
