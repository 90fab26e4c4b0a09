// Issue 14: metrics on beside metrics off in the same run, for local tell and remote batches. Each
// figure runs in fresh processes, off and on alternating twice; the best of each is kept (the load of
// the machine varies over seconds).
import { runChild, type Row } from "../harness.js";
import type { Section } from "./section.js";

interface Rate {
  readonly rate: number;
  readonly scrapes: number;
}

async function onBesideOff(figure: string, name: string): Promise<Row> {
  let off = 0;
  let on = 0;
  let scrapes = 0;
  for (let i = 0; i < 2; i++) {
    off = Math.max(off, (await runChild<Rate>("metrics/throughput.ts", { args: [`--figure=${figure}`, "--metrics=off"], timeoutMs: 180_000 })).rate);
    const measured = await runChild<Rate>("metrics/throughput.ts", { args: [`--figure=${figure}`, "--metrics=on"], timeoutMs: 180_000 });
    on = Math.max(on, measured.rate);
    scrapes = Math.max(scrapes, measured.scrapes);
  }
  return {
    name,
    value: on,
    unit: "msg/s",
    baselineValue: off,
    goal: { atLeastRatio: 0.95 },
    note: `beside metrics off; ${scrapes} scrapes of /metrics during the run`,
  };
}

export const metricsSection: Section = {
  name: "metrics",
  title: "Metrics on (HTTP served, /metrics scraped every 200 ms) beside metrics off (no HTTP), same run, fresh processes",
  async run() {
    const rows: Row[] = [];
    for (const [figure, name] of [
      ["tell", "tell, sync handler, metrics on"],
      ["remote", "remote tell (batched, offer-paced), metrics on"],
    ] as const) {
      try {
        rows.push(await onBesideOff(figure, name));
      } catch (err) {
        console.error(`  metrics ${figure} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return rows;
  },
};
