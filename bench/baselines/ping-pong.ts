// Raw baseline: one ball bounced between two RawMailboxes (sync handlers); hops/s.
import { argNumber, emit, formatValue, measureThroughput, type Row } from "../harness.js";
import { RawMailbox } from "./raw-mailbox.js";

const count = argNumber("count", 2_000_000);
const BALL = { kind: "ping" } as const;

const r = await measureThroughput(
  { ops: count, warmup: 2, runs: 5, maxMs: 10_000 },
  (n) =>
    new Promise<void>((done) => {
      let hops = 0;
      const bounce = (to: () => RawMailbox<typeof BALL>) => () => {
        if (++hops === n) done();
        else to().tell(BALL);
      };
      const a: RawMailbox<typeof BALL> = new RawMailbox(bounce(() => b));
      const b: RawMailbox<typeof BALL> = new RawMailbox(bounce(() => a));
      a.tell(BALL);
    }),
);

emit([
  {
    id: "raw.pingpong",
    name: "raw ping-pong, 2 mailboxes",
    value: r.best,
    unit: "hops/s",
    note: `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}, ${count / 1e6}M hops`,
  },
] satisfies Row[]);
