// The contract between bench/run.ts and a section of figures.
import type { Row } from "../harness.js";

export interface BenchContext {
  /** The raw baseline row with this id, measured once per `npm run bench` (lazily, then cached). */
  baseline(id: string): Promise<Row>;
}

export interface Section {
  readonly name: string; // `npm run bench -- <name>` runs only this section
  readonly title: string;
  /** Returns the rows to print. A row with `baseline: "<id>"` is printed beside that raw baseline. */
  run(ctx: BenchContext): Promise<Row[]>;
}
