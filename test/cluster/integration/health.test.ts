// grpc.health.v1.Health on the node's port, seen by a plain gRPC health client as a probe would.
import { afterEach, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { sleep, waitFor } from "../../support/wait.js";
import { ClusterNodes, HealthClient, waitForConvergence } from "./nodes.js";

const nodes = new ClusterNodes();
const clients: HealthClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await nodes.shutdownAll();
});

function client(address: string): HealthClient {
  const c = new HealthClient(address);
  clients.push(c);
  return c;
}

describe("gRPC health", () => {
  it('Check: NOT_SERVING while joining, SERVING once Up, for "" and casty.v1.Cluster; unknown services are NOT_FOUND', async () => {
    const a = await nodes.start();
    await a.cluster.whenUp(2000);
    // b's seed is a node that is not there yet: b stays Joining
    const pending = await nodes.start({ seedNodes: ["127.0.0.1:1"], joinRetryInterval: 100 });
    const health = client(pending.selfAddress);
    for (const service of ["", "casty.v1.Cluster", "casty.v1.ClusterService"]) expect(await health.check(service)).toBe("NOT_SERVING");
    expect(await health.check("no.such.Service")).toEqual({ code: grpc.status.NOT_FOUND });
    expect(await health.check("casty.v1.Node")).toBe("SERVING"); // liveness: alive while joining
    expect(pending.cluster.selfMember).toBeUndefined();

    // b cannot reach its seed yet: Joining, NOT_SERVING
    const b = await nodes.start({ seedNodes: [a.selfAddress], joinRetryInterval: 100 });
    b.blockPeer(a.selfAddress);
    const bHealth = client(b.selfAddress);
    await sleep(300);
    expect(await bHealth.check("")).toBe("NOT_SERVING");
    b.unblockPeer(a.selfAddress);
    await b.cluster.whenUp(5000);
    await waitFor(() => b.cluster.selfMember?.status === "up", 1000, "b Up");
    expect(await bHealth.check("")).toBe("SERVING");
    expect(await bHealth.check("casty.v1.Cluster")).toBe("SERVING");
    expect(await bHealth.check("casty.v1.ClusterService")).toBe("SERVING");
    expect(await client(a.selfAddress).check("")).toBe("SERVING");
  });

  it("Watch: a stream opened while Joining sees NOT_SERVING → SERVING, then SERVING → NOT_SERVING when the node leaves", async () => {
    const a = await nodes.start();
    await a.cluster.whenUp(2000);
    // b only learns its seed later (it cannot reach it yet), so the Watch certainly starts before Up
    const b = await nodes.start({ seedNodes: [a.selfAddress], joinRetryInterval: 100 });
    b.blockPeer(a.selfAddress);
    const health = client(b.selfAddress);
    const whole = health.watch("");
    const cluster = health.watch("casty.v1.Cluster");
    await waitFor(() => whole.statuses.length > 0 && cluster.statuses.length > 0, 3000, "the first Watch answers");
    expect(whole.statuses).toEqual(["NOT_SERVING"]);
    b.unblockPeer(a.selfAddress);
    await waitForConvergence([a, b], 5000);
    await waitFor(() => whole.statuses.length === 2 && cluster.statuses.length === 2, 2000, "SERVING on the Watch streams");
    expect(whole.statuses).toEqual(["NOT_SERVING", "SERVING"]);
    expect(cluster.statuses).toEqual(["NOT_SERVING", "SERVING"]);

    const leaving = b.cluster.leave();
    await waitFor(() => whole.statuses.length === 3, 2000, "NOT_SERVING on the Watch stream after leave()");
    expect(whole.statuses).toEqual(["NOT_SERVING", "SERVING", "NOT_SERVING"]);
    await leaving;
    await waitFor(() => cluster.statuses.length === 3, 1000, "NOT_SERVING for casty.v1.Cluster");
    expect(cluster.statuses[2]).toBe("NOT_SERVING");
    await sleep(200);
    expect(whole.statuses).toHaveLength(3); // no flapping back
    whole.cancel();
    cluster.cancel();
  });

  it("goes NOT_SERVING when the node is downed by the others", async () => {
    const [a, b] = await nodes.cluster(2);
    const health = client(b.selfAddress);
    const watch = health.watch("");
    await waitFor(() => watch.statuses.length === 1, 2000, "the first Watch answer");
    expect(watch.statuses).toEqual(["SERVING"]);
    nodes.release(b); // b shuts itself down once downed
    a.cluster.down(b.selfAddress);
    await waitFor(() => watch.statuses.includes("NOT_SERVING"), 3000, "NOT_SERVING after being downed");
    await waitFor(() => b.isTerminated, 5000, "b shutting down");
    watch.cancel();
  });
});
