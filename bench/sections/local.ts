// Issue 2: the local actor runtime beside the raw mailbox baselines. Each figure runs in its own fresh
// child process (like the baselines), one at a time.
import { runChild, type Row } from "../harness.js";
import type { Section } from "./section.js";

const figures: readonly { script: string; nodeArgs?: string[]; timeoutMs?: number }[] = [
  { script: "local/tell-sync.ts" },
  { script: "local/tell-async.ts", timeoutMs: 180_000 },
  { script: "local/ping-pong.ts" },
  { script: "local/ask.ts" },
  { script: "local/spawn.ts" },
  { script: "local/heap.ts", nodeArgs: ["--max-old-space-size=4096"] },
];

export const localSection: Section = {
  name: "local",
  title: "Local actors (casty vs the raw mailbox; each figure in a fresh process)",
  async run() {
    const rows: Row[] = [];
    for (const { script, nodeArgs, timeoutMs } of figures) {
      try {
        rows.push(...(await runChild<Row[]>(script, { nodeArgs: nodeArgs ?? [], timeoutMs: timeoutMs ?? 120_000 })));
      } catch (err) {
        console.error(`  ${script} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return rows;
  },
};
