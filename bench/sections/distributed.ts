// Issue 11: distributed data over three node processes (counter, map, queue; in memory and with a
// shared SqliteJournal), each beside a hand-written sharded entity doing the same asks in the same run.
import { runFigures, type ChildFigure } from "../harness.js";
import type { Section } from "./section.js";

const figures: readonly ChildFigure[] = ["counter", "map", "queue"].flatMap((shape) =>
  [0, 1].map((journal) => ({ script: "distributed/three.ts", args: [`--shape=${shape}`, `--journal=${journal}`], timeoutMs: 240_000 })),
);

export const distributedSection: Section = {
  name: "distributed",
  title: "Distributed data (three node processes on 127.0.0.1), beside sharded entities of the same shape",
  run: () => runFigures(figures),
};
