// Replicated persistent counters (replicas: 1, minAcks: 1, one InMemoryJournal per node) on two nodes
// in this process and one in a child process: the child, which hosts the counters' entities (it has the
// lowest port, and a shard goes to the lowest address among equally loaded nodes), is killed with -9 in the middle of increments from both local nodes; every acknowledged increment is
// in the value the other nodes read afterwards.
import { afterEach, describe, expect, it } from "vitest";
import { regionStats, shardOf, type ClusteredActorSystem } from "../../src/index.js";
import { DistributedData } from "../../src/distributed/distributed-data.js";
import { NodeProcess } from "../support/node-process.js";
import { freePorts } from "../support/free-port.js";
import { sleep, waitFor } from "../support/wait.js";
import { eventually } from "../sharding/fixtures/nodes.js";
import { fastDowning } from "../replication/fixtures/nodes.js";
import { Nodes } from "./fixtures/cluster.js";
import { COUNTER_SHARDS, replicatedCounters } from "./fixtures/replicated.js";

const COUNTERS = 4;
const REPLICAS = 1;

const nodes = new Nodes();
const children: NodeProcess[] = [];
afterEach(async () => {
  for (const child of children) child.kill("SIGKILL");
  await waitFor(() => children.every((c) => c.exited !== undefined), 5000, "node processes to exit").finally(() => (children.length = 0));
  await nodes.shutdownAll();
});

/** The node hosting counter `i`'s entity, as `system`'s region sees the allocation. */
function hostOf(system: ClusteredActorSystem, i: number): string | undefined {
  const ref = DistributedData.of(system).region({ kind: "counter", storage: "j", shards: COUNTER_SHARDS, name: `counter-${i}` });
  const shard = shardOf("structure", COUNTER_SHARDS);
  for (const [node, shards] of regionStats(ref)?.allocation ?? []) if (shards.includes(shard)) return node;
  return undefined;
}

describe("replicated distributed data when a node process is killed", () => {
  it("keeps every acknowledged increment of a counter across kill -9 of the node hosting it", { timeout: 60_000 }, async () => {
    const [childPort, ...ports] = await freePorts(3);
    const options = { name: "replicated-data", gateway: false, ...fastDowning };
    const first = await nodes.start([], { ...options, port: ports[0] });
    const second = await nodes.start([first.selfAddress], { ...options, port: ports[1] });
    const local = [first, second];
    const counters = local.map((system) => replicatedCounters(system, COUNTERS, REPLICAS));
    const child = new NodeProcess("test/distributed/fixtures/replicated-node.ts", [
      "--port",
      String(childPort),
      "--seeds",
      first.selfAddress,
      "--counters",
      String(COUNTERS),
      "--replicas",
      String(REPLICAS),
    ]);
    children.push(child);
    await waitFor(() => local.every((s) => s.cluster.state.members.filter((m) => m.status === "up").length === 3), 20_000, "three nodes Up").catch(
      (e: unknown) => {
        throw new Error(`${(e as Error).message}: ${child.describe()}`);
      },
    );
    const childAddress = child.address!;
    for (let i = 0; i < COUNTERS; i++) await eventually(() => counters[0][i].increment(), 15_000, `counter-${i}`);
    for (let i = 0; i < COUNTERS; i++) expect(hostOf(first, i), `counter-${i}`).toBe(childAddress);

    // increments in flight from both local nodes; the acknowledged ones are counted
    const acked = Array.from({ length: COUNTERS }, () => 1); // the first increment above
    let running = true;
    const traffic = local.map(async (_, n) => {
      while (running) {
        await Promise.all(
          counters[n].map((counter, i) =>
            counter.increment().then(
              () => acked[i]++,
              () => undefined, // not acknowledged: it may or may not have taken effect
            ),
          ),
        );
      }
    });
    await sleep(800);
    const ackedBeforeKill = [...acked];
    child.kill("SIGKILL");
    await waitFor(() => child.exited !== undefined, 5000, "the node process to die");
    await waitFor(() => local.every((s) => s.cluster.state.members.every((m) => m.address !== childAddress)), 20_000, "the killed node to be removed");
    await sleep(1000);
    running = false;
    await Promise.all(traffic);

    for (let i = 0; i < COUNTERS; i++) {
      const value = await eventually(() => counters[1][i].get(), 20_000, `counter-${i}`);
      expect(hostOf(second, i)).not.toBe(childAddress);
      expect(value, `counter-${i}`).toBeGreaterThanOrEqual(acked[i]);
    }
    // the killed node had acknowledged increments before it died
    expect(Math.min(...ackedBeforeKill)).toBeGreaterThan(1);
  });
});
