// Raw baseline: tell N messages to a RawMailbox with a sync handler; msg/s from first tell to last handled.
import { argNumber, emit, formatValue, measureThroughput, type Row } from "../harness.js";
import { RawMailbox } from "./raw-mailbox.js";

const count = argNumber("count", 5_000_000);
const MSG = { kind: "increment", amount: 1 } as const; // one preallocated message, as the casty bench should use

const r = await measureThroughput(
  { ops: count, warmup: 2, runs: 5, maxMs: 10_000 },
  (n) =>
    new Promise<void>((done) => {
      let handled = 0;
      const mb = new RawMailbox<typeof MSG>(() => {
        if (++handled === n) done();
      });
      for (let i = 0; i < n; i++) mb.tell(MSG);
    }),
);

emit([
  {
    id: "raw.tell.sync",
    name: "raw mailbox, sync handler",
    value: r.best,
    unit: "msg/s",
    note: `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}, ${count / 1e6}M msgs`,
  },
] satisfies Row[]);
