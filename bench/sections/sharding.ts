// Issue 5: cluster sharding. Single node (plain ActorSystem and a 1-node cluster): sharded tell
// throughput beside raw.tell.sync and sequential sharded asks; three node processes: asks with 256 in
// flight to 10,000 entities and the latency of asks to a remote entity beside raw grpc-js round trips;
// two node processes: sharded tell to 1,000 entities on the other node beside plain remote tell.
// Each figure runs in fresh child processes, one at a time.
import { runFigures, type ChildFigure } from "../harness.js";
import type { Section } from "./section.js";

const figures: readonly ChildFigure[] = [
  { script: "sharding/single.ts", args: ["--mode=tell", "--system=plain", "--entities=1"], timeoutMs: 120_000 },
  { script: "sharding/single.ts", args: ["--mode=tell", "--system=plain", "--entities=1000"], timeoutMs: 120_000 },
  { script: "sharding/single.ts", args: ["--mode=tell", "--system=cluster", "--entities=1"], timeoutMs: 120_000 },
  { script: "sharding/single.ts", args: ["--mode=tell", "--system=cluster", "--entities=1000"], timeoutMs: 120_000 },
  { script: "sharding/single.ts", args: ["--mode=tell", "--system=plain", "--entities=1", "--fresh=1"], timeoutMs: 120_000 },
  { script: "sharding/single.ts", args: ["--mode=tell", "--system=plain", "--entities=1000", "--fresh=1"], timeoutMs: 120_000 },
  { script: "sharding/single.ts", args: ["--mode=tell", "--system=cluster", "--entities=1000", "--fresh=1"], timeoutMs: 120_000 },
  { script: "sharding/single.ts", args: ["--mode=ask", "--system=plain"], timeoutMs: 120_000 },
  { script: "sharding/single.ts", args: ["--mode=ask", "--system=cluster"], timeoutMs: 120_000 },
  { script: "sharding/three.ts", args: ["--mode=inflight", "--entities=10000", "--window=256"], timeoutMs: 240_000 },
  { script: "sharding/three.ts", args: ["--mode=latency", "--entities=10000"], timeoutMs: 240_000 },
  { script: "sharding/two.ts", args: ["--entities=1000"], timeoutMs: 240_000 },
];

export const shardingSection: Section = {
  name: "sharding",
  title: "Cluster sharding (single node, and three node processes on 127.0.0.1; each figure in fresh processes)",
  run: () => runFigures(figures),
};
