import type { Scheduler } from "../actor/scheduler.js";
import { JournalClosedError } from "./errors.js";
import type { EventEnvelope, Offset } from "./read-journal.js";

/** Wakes live queries when their journal committed something (or closed), instead of at the next poll. */
export class ChangeSignal {
  private waiters: (() => void)[] = [];
  /** Counts the notifications, so that one between a read and the wait that follows it is not lost. */
  private version = 0;

  get current(): number {
    return this.version;
  }

  notify(): void {
    this.version++;
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Resolves at once if notified since `seen` (a `current`) or `signal` is aborted, else at the next
   * `notify()`, the abort or after `timeout` ms.
   */
  next(seen: number, scheduler: Scheduler, timeout: number, signal?: AbortSignal): Promise<void> {
    if (seen !== this.version || signal?.aborted === true) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        scheduler.clearTimeout(timer);
        signal?.removeEventListener("abort", abort);
        resolve();
      };
      const abort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        wake();
      };
      const timer = scheduler.setTimeout(abort, timeout);
      signal?.addEventListener("abort", abort, { once: true });
      this.waiters.push(wake);
    });
  }
}

/** What a live tag query needs from its journal. */
export interface LiveSource {
  /** The stored events after `offset`, in batches (none empty). */
  currentBatchesByTag(tag: string, offset: Offset): AsyncIterable<readonly EventEnvelope[]>;
  isClosed(): boolean;
  readonly changes: ChangeSignal;
  readonly scheduler: Scheduler;
  readonly pollInterval: number;
}

/**
 * `eventsByTagBatched`: the current events, then whatever is committed later, read from the last offset
 * seen (so an event is delivered once, in order) until the journal closes, the caller stops iterating
 * or `signal` is aborted (which also ends a wait for new events).
 */
export async function* liveBatchesByTag(source: LiveSource, tag: string, offset: Offset, signal?: AbortSignal): AsyncIterable<readonly EventEnvelope[]> {
  let last = offset;
  while (!source.isClosed() && signal?.aborted !== true) {
    const seen = source.changes.current;
    try {
      for await (const batch of source.currentBatchesByTag(tag, last)) {
        last = batch[batch.length - 1].offset;
        yield batch;
      }
    } catch (error) {
      if (error instanceof JournalClosedError) return;
      throw error;
    }
    await source.changes.next(seen, source.scheduler, source.pollInterval, signal);
  }
}

/** The events of batches, one by one. */
export async function* flatten<T>(batches: AsyncIterable<readonly T[]>): AsyncIterable<T> {
  for await (const batch of batches) yield* batch;
}
