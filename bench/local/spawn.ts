// casty: spawn rate. Each run spawns N anonymous top-level actors (one shared behaviour value) in a
// fresh system; actors/s. The system is shut down after the run, outside the timing.
import { Behaviors, type ActorSystem } from "../../src/index.js";
import { argNumber, emit, formatValue, measureThroughput, type Row } from "../harness.js";
import { benchSystem } from "./common.js";

const count = argNumber("count", 200_000);
const behavior = Behaviors.receive<unknown>(() => Behaviors.same());
let previous: ActorSystem | undefined;

const r = await measureThroughput({ ops: count, warmup: 2, runs: 5, maxMs: 15_000 }, async (n) => {
  if (previous) await previous.shutdown();
  const system = (previous = benchSystem());
  requireGcSettle();
  const t0 = performance.now();
  let i = 0;
  while (i < n && (i & 1023 || performance.now() - t0 < 5000)) {
    system.spawn(behavior);
    i++;
  }
  return i;
});
await previous?.shutdown();

/** A GC between runs, so one run does not pay for the garbage of the last. */
function requireGcSettle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

emit([
  {
    name: "spawn",
    value: r.best,
    unit: "actors/s",
    goal: { atLeast: 500_000 },
    note: `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}, ${count / 1e3}k actors per run`,
  },
] satisfies Row[]);
