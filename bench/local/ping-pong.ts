// casty: one ball bounced between two actors (sync handlers), like raw.pingpong; hops/s.
import { Behaviors, type ActorRef } from "../../src/index.js";
import { argNumber, emit, formatValue, measureThroughput, type Row } from "../harness.js";
import { benchSystem, within } from "./common.js";

const count = argNumber("count", 2_000_000);
const BALL = { kind: "ping" } as const;
type Ball = typeof BALL;
const system = benchSystem();

const r = await measureThroughput({ ops: count, warmup: 2, runs: 5, maxMs: 10_000 }, (n) => {
  let hops = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const bounce = (to: () => ActorRef<Ball>) =>
    Behaviors.receive<Ball>(() => {
      if (++hops === n) done();
      else to().tell(BALL);
      return Behaviors.same();
    });
  const a: ActorRef<Ball> = system.spawn(bounce(() => b));
  const b: ActorRef<Ball> = system.spawn(bounce(() => a));
  a.tell(BALL);
  return within(finished, 30_000, "ping-pong");
});
await system.shutdown();

emit([
  {
    name: "ping-pong, 2 actors",
    value: r.best,
    unit: "hops/s",
    baseline: "raw.pingpong",
    goal: { atLeastRatio: 0.5 },
    note: `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}, ${count / 1e6}M hops`,
  },
] satisfies Row[]);
