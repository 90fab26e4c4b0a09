// Issue 3: casty remoting between two OS processes on loopback, beside the raw grpc-js baselines.
// One server process (remote/server.ts: a sink and an echo actor) and one fresh client process per mode.
import { runChild, startChild, type Row } from "../harness.js";
import type { Section } from "./section.js";

export const remoteSection: Section = {
  name: "remote",
  title: "Remoting (casty, 2 processes on loopback, vs raw grpc-js)",
  async run() {
    const server = startChild<{ port: number }>("remote/server.ts");
    const raw = startChild<{ port: number }>("baselines/grpc-server.ts"); // for the ask latency taken in turns with it
    try {
      const { port } = await server.ready;
      const rawPort = (await raw.ready).port;
      const rows: Row[] = [];
      const runs = [["--mode=tell"], ["--mode=tell", "--await-every=1"], ["--mode=latency", `--raw-port=${rawPort}`], ["--mode=inflight"]];
      for (const args of runs) {
        try {
          rows.push(...(await runChild<Row[]>("remote/client.ts", { args: [`--port=${port}`, ...args], timeoutMs: 120_000 })));
        } catch (err) {
          console.error(`  remote ${args.join(" ")} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return rows;
    } finally {
      await Promise.all([server.stop(), raw.stop()]);
    }
  },
};
