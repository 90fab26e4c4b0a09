import type { Scheduler } from "../actor/scheduler.js";
import { persistBatches } from "./persist-batches.js";

/** A write waiting for its batch. */
interface Waiting<W> {
  readonly write: W;
  resolve(): void;
  reject(error: unknown): void;
}

/** Writes one batch; returns, per write in order, `undefined` (done) or the error that write failed with. */
export type BatchWriter<W> = (writes: readonly W[]) => readonly (Error | undefined)[] | Promise<readonly (Error | undefined)[]>;

/**
 * Collects the writes of one event-loop turn (all entities) and hands them to `writeBatch` together, one
 * batch at a time: a database transaction per turn instead of per event. A batch that throws fails all
 * its writes.
 */
export class GroupCommit<W> {
  private waiting: Waiting<W>[] = [];
  private scheduled = false;
  private inFlight: Promise<void> | undefined;
  private readonly flushNow = () => this.flush();

  constructor(
    private readonly writeBatch: BatchWriter<W>,
    private readonly scheduler: Scheduler,
  ) {}

  add(write: W): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ write, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once every write added so far is settled. */
  async drain(): Promise<void> {
    while (this.waiting.length > 0 || this.inFlight !== undefined) {
      if (this.inFlight !== undefined) await this.inFlight;
      else this.flush();
    }
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight !== undefined) return;
    this.scheduled = true;
    this.scheduler.yieldThen(this.flushNow);
  }

  private flush(): void {
    this.scheduled = false;
    if (this.inFlight !== undefined || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    const started = persistBatches.heard ? this.scheduler.now() : undefined;
    let outcome: readonly (Error | undefined)[] | Promise<readonly (Error | undefined)[]>;
    try {
      outcome = this.writeBatch(batch.map((w) => w.write));
    } catch (error) {
      for (const w of batch) w.reject(error);
      this.schedule();
      return;
    }
    if (!(outcome instanceof Promise)) {
      this.report(batch.length, started);
      settle(batch, outcome);
      this.schedule();
      return;
    }
    this.inFlight = outcome.then(
      (results) => {
        this.report(batch.length, started);
        settle(batch, results);
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    );
    void this.inFlight.finally(() => {
      this.inFlight = undefined;
      if (this.waiting.length > 0) this.schedule();
    });
  }

  private report(writes: number, started: number | undefined): void {
    if (started !== undefined) persistBatches.report(writes, (this.scheduler.now() - started) / 1000);
  }
}

function settle<W>(batch: readonly Waiting<W>[], results: readonly (Error | undefined)[]): void {
  for (let i = 0; i < batch.length; i++) {
    const error = results[i];
    if (error === undefined) batch[i].resolve();
    else batch[i].reject(error);
  }
}
