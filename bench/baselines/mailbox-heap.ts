// Raw reference: heap retained per idle RawMailbox (object + empty queue + bound drain closure).
// Needs --expose-gc (runChild passes it).
import { argNumber, emit, measureHeap, type Row } from "../harness.js";
import { RawMailbox } from "./raw-mailbox.js";

const count = argNumber("count", 1_000_000);
const noop = (): void => {};
const r = await measureHeap(count, (n) => Array.from({ length: n }, () => new RawMailbox<unknown>(noop)));

emit([
  {
    id: "raw.mailbox.heap",
    name: "raw mailbox, idle (heap/object)",
    value: r.bytesPerObject,
    unit: "bytes",
    note: `${count / 1e6}M objects incl. 8-byte array slot`,
  },
] satisfies Row[]);
