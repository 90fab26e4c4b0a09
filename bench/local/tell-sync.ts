// casty: tell N messages (one preallocated object, like raw.tell.sync) to one actor with a sync handler;
// msg/s from the first tell to the last message handled. A fresh actor per run.
import { Behaviors } from "../../src/index.js";
import { argNumber, emit, formatValue, measureThroughput, type Row } from "../harness.js";
import { benchSystem, within } from "./common.js";

const count = argNumber("count", 5_000_000);
const MSG = { kind: "increment", amount: 1 } as const;
const system = benchSystem();

const r = await measureThroughput({ ops: count, warmup: 2, runs: 5, maxMs: 15_000 }, (n) => {
  let handled = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const ref = system.spawn(
    Behaviors.receive<typeof MSG>(() => {
      if (++handled === n) done();
      return Behaviors.same();
    }),
  );
  for (let i = 0; i < n; i++) ref.tell(MSG);
  return within(finished, 30_000, "tell (sync handler)");
});
await system.shutdown();

emit([
  {
    name: "tell, sync handler",
    value: r.best,
    unit: "msg/s",
    baseline: "raw.tell.sync",
    goal: { atLeastRatio: 0.5 },
    note: `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}, ${count / 1e6}M msgs`,
  },
] satisfies Row[]);
