import type { EventEnvelope, ReadJournal } from "../persistence/read-journal.js";
import type { OffsetStore } from "./offset-store.js";

export interface ProjectionOptions<Tx = undefined> {
  /** Identifies the projection (its stored offset, its singleton in the cluster). */
  readonly name: string;
  readonly journal: ReadJournal;
  readonly tag: string;
  /** Runs per event, in offset order; `tx` is the offset store's transaction (write the view through it for exactly-once). */
  readonly handler: (event: EventEnvelope, tx: Tx) => void | Promise<void>;
  readonly offsetStore: OffsetStore<Tx>;
  /** Wait before a failed handler or query starts over from the stored offset (ms, default 1000). */
  readonly restartDelay?: number;
}
