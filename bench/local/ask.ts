// casty: sequential `system.ask` round trips to one actor that replies at once; round trips/s.
// Each run is bounded by a count and a time.
import { Behaviors, type ActorRef } from "../../src/index.js";
import { argNumber, emit, formatValue, measureThroughput, type Row } from "../harness.js";
import { benchSystem } from "./common.js";

const count = argNumber("count", 1_000_000);
const maxMs = argNumber("max-ms", 3000);
interface Ping {
  readonly replyTo: ActorRef<number>;
}
const system = benchSystem();
const echo = system.spawn(
  Behaviors.receive<Ping>((_ctx, msg) => {
    msg.replyTo.tell(1);
    return Behaviors.same();
  }),
);
const request = (replyTo: ActorRef<number>): Ping => ({ replyTo });

const r = await measureThroughput({ ops: count, warmup: 1, warmupOps: 200_000, runs: 5, maxMs: 15_000 }, async (n) => {
  const t0 = performance.now();
  let i = 0;
  while (i < n && (i & 1023 || performance.now() - t0 < maxMs)) {
    await system.ask(echo, request);
    i++;
  }
  return i;
});
await system.shutdown();

emit([
  {
    name: "ask, sequential",
    value: r.best,
    unit: "rt/s",
    goal: { atLeast: 500_000 },
    note: `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}, up to ${count / 1e6}M asks or ${maxMs} ms per run`,
  },
] satisfies Row[]);
