// Cluster formation in one process: --nodes=N clustered nodes on 127.0.0.1 (port 0, default cluster
// settings); the first forms the cluster, the others seed on it as soon as it is bound. The time runs
// from the first `start` call until every node sees all N members Up (polled every ~1 ms).
// --runs=R fresh clusters one after another (the first one is cold: JIT, first connections).
// --traffic-ms=T (with --settle-ms=S): after the last formation, wait S ms, then measure each node's
// `cluster.traffic` (gossip and heartbeat bytes it put on the wire) over T ms.
// Every wait is bounded.
import type { ClusteredActorSystem } from "../../src/index.js";
import { argNumber, emit, median, type Row } from "../harness.js";
import { seesAllUp, shutdownAll, sleep, startNode, waitUntil } from "./common.js";

const nodes = argNumber("nodes", 3);
const runs = argNumber("runs", 3);
const trafficMs = argNumber("traffic-ms", 0);
const settleMs = argNumber("settle-ms", 3000);
const goalMs = argNumber("goal-ms", 0);

async function form(): Promise<{ ms: number; systems: ClusteredActorSystem[] }> {
  const t0 = performance.now();
  const first = await startNode("formation", []);
  const others = await Promise.all(Array.from({ length: nodes - 1 }, () => startNode("formation", [first.selfAddress])));
  const systems = [first, ...others];
  const expected = systems
    .map((s) => s.selfAddress)
    .sort()
    .join(",");
  await waitUntil(() => systems.every((s) => seesAllUp(s, expected)), 30_000, `${nodes} nodes Up everywhere`, 1);
  return { ms: performance.now() - t0, systems };
}

const times: number[] = [];
const rows: Row[] = [];
for (let run = 0; run < runs; run++) {
  const { ms, systems } = await form();
  times.push(ms);
  if (run === runs - 1 && trafficMs > 0) {
    await sleep(settleMs);
    const expected = systems
      .map((s) => s.selfAddress)
      .sort()
      .join(",");
    if (!systems.every((s) => seesAllUp(s, expected))) throw new Error("the cluster did not stay converged while settling");
    const before = systems.map((s) => ({ ...s.cluster.traffic }));
    const t0 = performance.now();
    await sleep(trafficMs);
    const seconds = (performance.now() - t0) / 1000;
    const gossip = systems.map((s, i) => (s.cluster.traffic.gossipBytes - before[i].gossipBytes) / seconds);
    const heartbeat = systems.map((s, i) => (s.cluster.traffic.heartbeatBytes - before[i].heartbeatBytes) / seconds);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} B/s per node`;
    const window = `${nodes} nodes, ${seconds.toFixed(1)} s window ${settleMs / 1000} s after formation`;
    rows.push(
      {
        name: `gossip bytes/s per node, ${nodes} nodes steady`,
        value: mean(gossip),
        unit: "B/s",
        goal: { atMost: 2048 },
        note: `mean; ${range(gossip)}; ${window}; protobuf bytes sent (digests, states, answers)`,
      },
      { name: `gossip bytes/s, busiest node`, value: Math.max(...gossip), unit: "B/s", goal: { atMost: 2048 }, note: "same window" },
      {
        name: `heartbeat bytes/s per node, ${nodes} nodes steady`,
        value: mean(heartbeat),
        unit: "B/s",
        note: `mean; ${range(heartbeat)}; requests sent (answers not counted); no goal`,
      },
    );
  }
  await shutdownAll(systems);
}

const note = `median of ${times.length} fresh clusters: ${times.map((t) => t.toFixed(0)).join(" / ")} ms (first is cold)`;
rows.unshift({ name: `formation, ${nodes} nodes all Up`, value: median(times), unit: "ms", ...(goalMs > 0 ? { goal: { atMost: goalMs } } : {}), note });
emit(rows);
process.exit(0);
