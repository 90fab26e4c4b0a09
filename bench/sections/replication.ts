// Issue 10: shard replication. Three node processes, 1,000 replicated event-sourced accounts (one
// InMemoryJournal per node): deposits with 256 in flight and the persist → reply latency of sequential
// deposits to a local primary, with minAcks 0, 1 and 2 (replicas 2) beside the same workload without
// replication, in the same run. Each configuration runs in fresh child processes, one at a time.
import { runFigures, type ChildFigure, type Row } from "../harness.js";
import type { Section } from "./section.js";

const configurations = [-1, 0, 1, 2];
const figures: readonly ChildFigure[] = configurations.map((minAcks) => ({
  script: "replication/three.ts",
  args: [`--min-acks=${minAcks}`, "--replicas=2", "--entities=1000", "--window=256"],
  timeoutMs: 240_000,
}));

/** Replicated rows are compared with the unreplicated row of the same kind; minAcks 1 has the goals. */
function compared(rows: readonly Row[]): Row[] {
  const configuration = /, (no replication|replicas \d+, minAcks \d+)$/;
  const kindOf = (row: Row) => row.name.replace(configuration, "");
  const plain = (kind: string) => rows.find((r) => kindOf(r) === kind && r.name.endsWith("no replication"))?.value;
  const out: Row[] = [];
  for (const row of rows) {
    const base = row.name.endsWith("no replication") ? undefined : plain(kindOf(row));
    const ratioGoal = row.name.includes("minAcks 1") && row.unit === "rt/s" ? { goal: { atLeastRatio: 0.5 } } : {};
    out.push({ ...row, ...(base !== undefined && { baselineValue: base }), ...ratioGoal });
    if (base !== undefined && row.unit === "µs" && row.name.includes("p50")) {
      out.push({
        name: `p50 added by replication, ${row.name.match(configuration)?.[1] ?? ""}`,
        value: row.value - base,
        unit: "µs",
        baseline: "raw.grpc.rtt.p50",
        note: "goal for minAcks 1: at most one loopback round trip (100% of raw.grpc.rtt.p50)",
      });
    }
  }
  return out;
}

export const replicationSection: Section = {
  name: "replication",
  title: "Shard replication (three node processes on 127.0.0.1, one InMemoryJournal each; each configuration in fresh processes)",
  run: async () => compared(await runFigures(figures)),
};
