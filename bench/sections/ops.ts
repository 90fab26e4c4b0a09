// Issue 13: operations. A node's SIGTERM → exit with 10,000 live entities, and a rolling restart of
// three node processes under traffic (examples/kubernetes/node.ts on one SqliteJournal file).
import { runFigures, type ChildFigure } from "../harness.js";
import type { Section } from "./section.js";

const figures: readonly ChildFigure[] = [{ script: "ops/rolling.ts", args: ["--entities=10000"], timeoutMs: 300_000 }];

export const opsSection: Section = {
  name: "ops",
  title: "Operations (three node processes on 127.0.0.1 with runNode; SqliteJournal)",
  run: () => runFigures(figures),
};
