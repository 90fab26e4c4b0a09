// The raw baselines: each group runs in fresh child processes, so JIT state never leaks between figures.
import { runChild, startChild, type Row } from "../harness.js";
import type { Section } from "./section.js";

export interface BaselineGroup {
  readonly provides: readonly string[]; // row ids
  measure(): Promise<Row[]>;
}

const script = (file: string, provides: string[]): BaselineGroup => ({
  provides,
  measure: () => runChild<Row[]>(file),
});

/** Two processes: grpc-server.ts, then one grpc-client.ts process per mode against it. */
const grpc: BaselineGroup = {
  provides: [
    "raw.grpc.batched",
    "raw.grpc.batched.decoded",
    "raw.grpc.unbatched",
    "raw.grpc.rtt.p50",
    "raw.grpc.rtt.p99",
    "raw.grpc.rtt",
    "raw.grpc.inflight256",
  ],
  async measure() {
    const server = startChild<{ port: number }>("baselines/grpc-server.ts");
    try {
      const { port } = await server.ready;
      const rows: Row[] = [];
      for (const mode of ["batched", "decoded", "unbatched", "latency", "inflight"]) {
        try {
          rows.push(...(await runChild<Row[]>("baselines/grpc-client.ts", { args: [`--port=${port}`, `--mode=${mode}`], timeoutMs: 60_000 })));
        } catch (err) {
          console.error(`  raw grpc --mode=${mode} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return rows;
    } finally {
      await server.stop();
    }
  },
};

export const baselineGroups: readonly BaselineGroup[] = [
  script("baselines/mailbox-sync.ts", ["raw.tell.sync"]),
  script("baselines/mailbox-async.ts", ["raw.tell.async"]),
  script("baselines/ping-pong.ts", ["raw.pingpong"]),
  script("baselines/mailbox-heap.ts", ["raw.mailbox.heap"]),
  grpc,
];

export const baselinesSection: Section = {
  name: "baselines",
  title: "Raw baselines (minimal JS mailbox, raw grpc-js on loopback, two processes)",
  async run(ctx) {
    const ids = baselineGroups.flatMap((g) => g.provides);
    const rows = await Promise.allSettled(ids.map((id) => ctx.baseline(id))); // groups run one at a time (see run.ts)
    return rows.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  },
};
