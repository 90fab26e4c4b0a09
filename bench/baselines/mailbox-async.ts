// Raw baseline: tell N messages to a RawAsyncMailbox; every message's async handler is awaited.
import { argNumber, emit, formatValue, measureThroughput, type Row } from "../harness.js";
import { RawAsyncMailbox } from "./raw-mailbox.js";

const count = argNumber("count", 5_000_000);
const MSG = { kind: "increment", amount: 1 } as const;

const r = await measureThroughput(
  { ops: count, warmup: 2, runs: 5, maxMs: 15_000 },
  (n) =>
    new Promise<void>((done) => {
      let handled = 0;
      const mb = new RawAsyncMailbox<typeof MSG>(async () => {
        if (++handled === n) done();
      });
      for (let i = 0; i < n; i++) mb.tell(MSG);
    }),
);

emit([
  {
    id: "raw.tell.async",
    name: "raw mailbox, async handler",
    value: r.best,
    unit: "msg/s",
    note: `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}, ${count / 1e6}M msgs`,
  },
] satisfies Row[]);
