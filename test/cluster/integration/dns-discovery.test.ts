// Seeds from DNS, against a real DNS server on 127.0.0.1 whose records change during the test, as a
// Kubernetes headless service's do. Nodes listen on 127.0.0.1-3 with one port, as pods do on their IPs.
import { afterEach, describe, expect, it } from "vitest";
import { InvalidOptionError, type ClusteredActorSystem } from "../../../src/index.js";
import { DnsServer } from "../../support/dns-server.js";
import { sleep, waitFor } from "../../support/wait.js";
import { ClusterNodes } from "./nodes.js";
import { freePort } from "../../support/free-port.js";

const nodes = new ClusterNodes();
let dns: DnsServer | undefined;
afterEach(async () => {
  await nodes.shutdownAll();
  await dns?.close();
  dns = undefined;
});

const upMembers = (system: ClusteredActorSystem): string[] =>
  system.cluster.state.members
    .filter((m) => m.status === "up")
    .map((m) => m.address)
    .sort();

describe("DNS discovery", () => {
  it("waits for records, lets only the lowest address form the cluster, and a lower node joining later joins it", { timeout: 30_000 }, async () => {
    dns = await DnsServer.start();
    const port = await freePort();
    const discovery = { dns: "casty.test", port, servers: [dns.address], interval: 100, requiredContactPoints: 2, stableMargin: 400 };
    const start = (host: string) => nodes.start({ host, port, discovery, joinRetryInterval: 100 });
    const [b, c] = await Promise.all([start("127.0.0.2"), start("127.0.0.3")]);

    // no records yet: nobody forms a cluster
    await sleep(800);
    expect(b.cluster.selfMember).toBeUndefined();
    expect(c.cluster.selfMember).toBeUndefined();
    expect(dns.queries).toBeGreaterThan(2);

    // one record is not enough contact points
    dns.a.set("casty.test", ["127.0.0.3"]);
    await sleep(800);
    expect(c.cluster.selfMember).toBeUndefined();

    // both listed: the lowest (127.0.0.2) forms it once the records are stable; the other joins
    dns.a.set("casty.test", ["127.0.0.3", "127.0.0.2"]);
    await waitFor(() => upMembers(b).length === 2 && upMembers(c).length === 2, 10_000, "two nodes Up");
    expect(b.cluster.leader).toBe(`127.0.0.2:${port}`);

    // a node with a lower address appears: a cluster answers its joins, so it joins instead of forming another
    dns.a.set("casty.test", ["127.0.0.3", "127.0.0.2", "127.0.0.1"]);
    const a = await start("127.0.0.1");
    await waitFor(() => [a, b, c].every((n) => upMembers(n).length === 3), 10_000, "three nodes Up in one cluster");
    for (const n of [a, b, c]) expect(upMembers(n)).toEqual([`127.0.0.1:${port}`, `127.0.0.2:${port}`, `127.0.0.3:${port}`]);
    const before = dns.queries;
    await sleep(400);
    expect(dns.queries - before).toBeLessThanOrEqual(2); // joined nodes stop resolving
  });

  it("refuses discovery together with seedNodes, and port 0 without discovery.port", async () => {
    await expect(nodes.start({ seedNodes: ["127.0.0.1:1"], discovery: { dns: "casty.test" } })).rejects.toThrow(InvalidOptionError);
    await expect(nodes.start({ port: 0, discovery: { dns: "casty.test" } })).rejects.toThrow(/discovery.port must be 1..65535/);
  });
});
