// casty: tell N messages to one actor whose handler is async (each message's promise is awaited by the
// runtime before the next message starts); msg/s from the first tell to the last message handled.
import { Behaviors } from "../../src/index.js";
import { argNumber, emit, formatValue, measureThroughput, type Row } from "../harness.js";
import { benchSystem, within } from "./common.js";

const count = argNumber("count", 5_000_000);
const MSG = { kind: "increment", amount: 1 } as const;
const system = benchSystem();

const r = await measureThroughput({ ops: count, warmup: 1, warmupOps: 1_000_000, runs: 5, maxMs: 20_000 }, (n) => {
  let handled = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const ref = system.spawn(
    Behaviors.receive<typeof MSG>(async () => {
      if (++handled === n) done();
      return Behaviors.same();
    }),
  );
  for (let i = 0; i < n; i++) ref.tell(MSG);
  return within(finished, 60_000, "tell (async handler)");
});
await system.shutdown();

emit([
  {
    name: "tell, async handler",
    value: r.best,
    unit: "msg/s",
    baseline: "raw.tell.async",
    note: `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}, ${count / 1e6}M msgs; no goal`,
  },
] satisfies Row[]);
