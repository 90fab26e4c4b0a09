import { realScheduler, type Scheduler } from "../actor/scheduler.js";
import { JournalClosedError, JournalConflictError } from "./errors.js";
import { noTags, type AppendOptions, type EventJournal, type JournalEntry, type SnapshotEntry } from "./journal.js";
import { ChangeSignal, flatten, liveBatchesByTag } from "./live-query.js";
import type { EventEnvelope, Offset, ReadJournal } from "./read-journal.js";

/** Envelopes per batch of a tag query. */
const BATCH = 1000;

/** One entity's events: those after `deletedTo`, in order (`entries[i]` is event `deletedTo + i + 1`). */
interface History {
  deletedTo: number;
  entries: JournalEntry[];
}

/** Keeps events and snapshots as values in this process: for tests and development. */
export class InMemoryJournal implements EventJournal, ReadJournal {
  private readonly events = new Map<string, History>();
  /** Per entity, its snapshots in ascending sequence numbers. */
  private readonly snapshots = new Map<string, SnapshotEntry[]>();
  /** Per tag, its events in append order; the offset is the event's place in the whole journal. */
  private readonly tagged = new Map<string, EventEnvelope[]>();
  private ordering = 0;
  private closed = false;
  readonly changes = new ChangeSignal();
  readonly scheduler: Scheduler;
  readonly pollInterval: number;

  constructor(options: { readonly scheduler?: Scheduler; readonly pollInterval?: number } = {}) {
    this.scheduler = options.scheduler ?? realScheduler;
    this.pollInterval = options.pollInterval ?? 1000;
  }

  append(entityId: string, events: readonly unknown[], expectedSeqNr: number, options?: AppendOptions): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError("the journal is closed"));
    const stored = this.events.get(entityId) ?? { deletedTo: 0, entries: [] };
    const highest = stored.deletedTo + stored.entries.length;
    if (highest !== expectedSeqNr) return Promise.reject(new JournalConflictError(entityId, expectedSeqNr, highest));
    const timestamp = this.scheduler.now();
    const writerUid = options?.writerUid ?? "";
    events.forEach((event, i) => {
      const tags = options?.tags?.[i] ?? noTags;
      const entry: JournalEntry = { entityId, seqNr: highest + i + 1, event, timestamp, writerUid, tags };
      stored.entries.push(entry);
      const offset = ++this.ordering;
      for (const tag of tags) {
        const list = this.tagged.get(tag) ?? [];
        list.push({ entityId, seqNr: entry.seqNr, event, offset, timestamp, tags });
        this.tagged.set(tag, list);
      }
    });
    this.events.set(entityId, stored);
    this.changes.notify();
    return Promise.resolve();
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the events are at hand; the interface is async for the others
  async *replay(entityId: string, fromSeqNr: number, toSeqNr = Number.MAX_SAFE_INTEGER): AsyncIterable<JournalEntry> {
    this.ensureOpen();
    const stored = this.events.get(entityId);
    if (stored === undefined) return;
    const { deletedTo, entries } = stored;
    for (let i = Math.max(fromSeqNr - deletedTo, 1) - 1; i < entries.length && deletedTo + i < toSeqNr; i++) yield entries[i];
  }

  currentEventsByTag(tag: string, offset: Offset = 0): AsyncIterable<EventEnvelope> {
    return flatten(this.currentBatchesByTag(tag, offset));
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- as replay
  async *currentBatchesByTag(tag: string, offset: Offset): AsyncIterable<readonly EventEnvelope[]> {
    this.ensureOpen();
    const list = this.tagged.get(tag) ?? [];
    const end = list.length; // finite: what is stored now
    for (let i = firstAfter(list, offset); i < end; i += BATCH) {
      this.ensureOpen();
      yield list.slice(i, Math.min(i + BATCH, end));
    }
  }

  eventsByTag(tag: string, offset: Offset = 0): AsyncIterable<EventEnvelope> {
    return flatten(liveBatchesByTag(this, tag, offset));
  }

  eventsByTagBatched(tag: string, offset: Offset = 0, signal?: AbortSignal): AsyncIterable<readonly EventEnvelope[]> {
    return liveBatchesByTag(this, tag, offset, signal);
  }

  async *currentEventsByEntityId(entityId: string, fromSeqNr = 1): AsyncIterable<EventEnvelope> {
    for await (const e of this.replay(entityId, fromSeqNr)) yield { ...e, offset: e.seqNr };
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- as replay
  async *currentEntityIds(): AsyncIterable<string> {
    this.ensureOpen();
    yield* [...this.events].flatMap(([id, h]) => (h.entries.length > 0 ? [id] : [])).sort();
  }

  highestSeqNr(entityId: string): Promise<number> {
    if (this.closed) return Promise.reject(new JournalClosedError("the journal is closed"));
    const stored = this.events.get(entityId);
    return Promise.resolve(stored === undefined ? 0 : stored.deletedTo + stored.entries.length);
  }

  deleteEvents(entityId: string, toSeqNr: number): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError("the journal is closed"));
    const stored = this.events.get(entityId);
    if (stored !== undefined) this.drop(entityId, stored, toSeqNr);
    return Promise.resolve();
  }

  continueAfter(entityId: string, seqNr: number): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError("the journal is closed"));
    const stored = this.events.get(entityId) ?? { deletedTo: 0, entries: [] };
    this.events.set(entityId, stored);
    this.drop(entityId, stored, seqNr);
    if (stored.entries.length === 0) stored.deletedTo = Math.max(stored.deletedTo, seqNr);
    return Promise.resolve();
  }

  /** Deletes the events up to `toSeqNr` (no further than the highest), with their tags. */
  private drop(entityId: string, stored: History, toSeqNr: number): void {
    if (toSeqNr <= stored.deletedTo) return;
    const gone = stored.entries.splice(0, Math.min(toSeqNr - stored.deletedTo, stored.entries.length));
    stored.deletedTo += gone.length;
    const last = stored.deletedTo;
    for (const tag of new Set(gone.flatMap((e) => e.tags))) {
      const list = this.tagged.get(tag);
      if (list !== undefined)
        this.tagged.set(
          tag,
          list.filter((e) => e.entityId !== entityId || e.seqNr > last),
        );
    }
  }

  saveSnapshot(entityId: string, seqNr: number, state: unknown): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError("the journal is closed"));
    const entry: SnapshotEntry = { entityId, seqNr, state, timestamp: this.scheduler.now() };
    const kept = (this.snapshots.get(entityId) ?? []).filter((s) => s.seqNr !== seqNr);
    kept.push(entry);
    this.snapshots.set(
      entityId,
      kept.sort((a, b) => a.seqNr - b.seqNr),
    );
    return Promise.resolve();
  }

  loadSnapshot(entityId: string): Promise<SnapshotEntry | undefined> {
    if (this.closed) return Promise.reject(new JournalClosedError("the journal is closed"));
    return Promise.resolve(this.snapshots.get(entityId)?.at(-1));
  }

  deleteSnapshots(entityId: string, toSeqNr: number): Promise<void> {
    if (this.closed) return Promise.reject(new JournalClosedError("the journal is closed"));
    const kept = this.snapshots.get(entityId)?.filter((s) => s.seqNr > toSeqNr) ?? [];
    if (kept.length > 0) this.snapshots.set(entityId, kept);
    else this.snapshots.delete(entityId);
    return Promise.resolve();
  }

  isClosed(): boolean {
    return this.closed;
  }

  close(): Promise<void> {
    this.closed = true;
    this.events.clear();
    this.snapshots.clear();
    this.tagged.clear();
    this.changes.notify();
    return Promise.resolve();
  }

  private ensureOpen(): void {
    if (this.closed) throw new JournalClosedError("the journal is closed");
  }
}

/** The index of the first envelope with an offset above `offset` (binary search: offsets ascend). */
function firstAfter(list: readonly EventEnvelope[], offset: Offset): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].offset <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
