// casty: heap retained per idle actor (1M actors spawned under /user, measured after GC). The refs
// are kept in an array, like raw.mailbox.heap keeps its mailboxes (8 bytes of array slot each).
// Needs --expose-gc (runChild passes it).
import { Behaviors, type ActorRef } from "../../src/index.js";
import { argNumber, emit, measureHeap, type Row } from "../harness.js";
import { benchSystem } from "./common.js";

const count = argNumber("count", 1_000_000);
const system = benchSystem();
const behavior = Behaviors.receive<unknown>(() => Behaviors.same());
system.spawn(behavior); // the first spawn allocates the guardian's child map: not per-actor cost

const r = await measureHeap(count, (n) => {
  const refs = new Array<ActorRef<unknown>>(n);
  for (let i = 0; i < n; i++) refs[i] = system.spawn(behavior);
  return refs;
});

emit([
  {
    name: "heap per idle actor",
    value: r.bytesPerObject,
    unit: "bytes",
    baseline: "raw.mailbox.heap",
    goal: { atMost: 600 },
    note: `${count / 1e6}M actors incl. 8-byte array slot, ${(r.totalBytes / 2 ** 20).toFixed(0)} MiB in all`,
  },
] satisfies Row[]);
process.exit(0); // skip stopping a million actors
