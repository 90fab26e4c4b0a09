import { realScheduler, type Scheduler } from "../actor/scheduler.js";
import { JournalClosedError, JournalConflictError } from "./errors.js";
import type { AppendOptions, EventJournal, JournalEntry, SnapshotEntry } from "./journal.js";

/** Keeps events and snapshots as values in this process: for tests and development. */
export class InMemoryJournal implements EventJournal {
  private readonly events = new Map<string, JournalEntry[]>();
  private readonly snapshots = new Map<string, SnapshotEntry>();
  private closed = false;

  constructor(private readonly options: { readonly scheduler?: Scheduler } = {}) {}

  append(entityId: string, events: readonly unknown[], expectedSeqNr: number, options?: AppendOptions): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError("the journal is closed"));
    const stored = this.events.get(entityId) ?? [];
    if (stored.length !== expectedSeqNr) return Promise.reject(new JournalConflictError(entityId, expectedSeqNr, stored.length));
    const timestamp = (this.options.scheduler ?? realScheduler).now();
    const writerUid = options?.writerUid ?? "";
    for (const event of events) stored.push({ entityId, seqNr: stored.length + 1, event, timestamp, writerUid });
    this.events.set(entityId, stored);
    return Promise.resolve();
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the events are at hand; the interface is async for the others
  async *replay(entityId: string, fromSeqNr: number, toSeqNr = Number.MAX_SAFE_INTEGER): AsyncIterable<JournalEntry> {
    this.ensureOpen();
    const stored = this.events.get(entityId) ?? [];
    for (let i = Math.max(fromSeqNr, 1) - 1; i < stored.length && i < toSeqNr; i++) yield stored[i];
  }

  highestSeqNr(entityId: string): Promise<number> {
    if (this.closed) return Promise.reject(new JournalClosedError("the journal is closed"));
    return Promise.resolve(this.events.get(entityId)?.length ?? 0);
  }

  saveSnapshot(entityId: string, seqNr: number, state: unknown): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError("the journal is closed"));
    const known = this.snapshots.get(entityId);
    if (known === undefined || known.seqNr < seqNr) {
      this.snapshots.set(entityId, { entityId, seqNr, state, timestamp: (this.options.scheduler ?? realScheduler).now() });
    }
    return Promise.resolve();
  }

  loadSnapshot(entityId: string): Promise<SnapshotEntry | undefined> {
    if (this.closed) return Promise.reject(new JournalClosedError("the journal is closed"));
    return Promise.resolve(this.snapshots.get(entityId));
  }

  close(): Promise<void> {
    this.closed = true;
    this.events.clear();
    this.snapshots.clear();
    return Promise.resolve();
  }

  private ensureOpen(): void {
    if (this.closed) throw new JournalClosedError("the journal is closed");
  }
}
