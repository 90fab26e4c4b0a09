// Issue 4: cluster membership. Formation of 3, 5 and 10 nodes in one process, steady-state gossip and
// heartbeat bytes per node (10 nodes), and kill -9 detection across three node processes. Each figure
// runs in fresh child processes, one at a time.
import { runFigures, type ChildFigure } from "../harness.js";
import type { Section } from "./section.js";

const figures: readonly ChildFigure[] = [
  { script: "cluster/formation.ts", args: ["--nodes=3", "--runs=5", "--goal-ms=500"], timeoutMs: 120_000 },
  { script: "cluster/formation.ts", args: ["--nodes=5", "--runs=5"], timeoutMs: 120_000 },
  { script: "cluster/formation.ts", args: ["--nodes=10", "--runs=5", "--goal-ms=2000", "--traffic-ms=5000", "--settle-ms=3000"], timeoutMs: 180_000 },
  { script: "cluster/detection.ts", args: ["--trials=4", "--settle-ms=5000"], timeoutMs: 240_000 },
];

export const clusterSection: Section = {
  name: "cluster",
  title: "Cluster membership (127.0.0.1, default cluster settings; each figure in fresh processes)",
  run: () => runFigures(figures),
};
