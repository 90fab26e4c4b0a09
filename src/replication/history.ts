import type { EventJournal, JournalEntry, SnapshotEntry } from "../persistence/journal.js";
import type { RowCodec } from "../persistence/row-codec.js";

/**
 * What a node sends of an entity's history (a catch-up, a pull's answer): the events after `after`,
 * as `casty.v1.PersistedEvent` rows; when the events asked for were deleted (retention), the latest
 * snapshot first (a `casty.v1.PersistedSnapshot` row), whose sequence number `after` is.
 */
export interface History {
  readonly snapshot: Buffer | undefined;
  readonly after: number;
  readonly events: Buffer[];
}

/**
 * The entity's history from `fromSeqNr` on in `journal`: its events, or, when the journal no longer has
 * them, its latest snapshot and the events after it. Rejects when no snapshot covers the deleted events.
 */
export async function historyFrom(journal: EventJournal, persistenceId: string, fromSeqNr: number, codec: RowCodec): Promise<History> {
  const events: Buffer[] = [];
  let first = 0;
  for await (const e of journal.replay(persistenceId, fromSeqNr)) {
    if (events.length === 0) first = e.seqNr;
    events.push(codec.encodeEvent(e.entityId, e.seqNr, e.event, e.timestamp, e.writerUid, e.tags) as Buffer);
  }
  if (first === fromSeqNr) return { snapshot: undefined, after: fromSeqNr - 1, events };
  const highest = await journal.highestSeqNr(persistenceId);
  if (events.length === 0 && highest < fromSeqNr) return { snapshot: undefined, after: fromSeqNr - 1, events }; // nothing there yet
  // events from `fromSeqNr` on are deleted: the snapshot that covers them stands in for them
  const firstKept = events.length > 0 ? first : highest + 1;
  const snapshot = await journal.loadSnapshot(persistenceId);
  if (snapshot === undefined || snapshot.seqNr < firstKept - 1)
    throw new Error(`its events ${fromSeqNr} to ${firstKept - 1} are deleted and no snapshot covers them`);
  return {
    snapshot: codec.encodeSnapshot(persistenceId, snapshot.seqNr, snapshot.state, snapshot.timestamp) as Buffer,
    after: snapshot.seqNr,
    events: events.slice(snapshot.seqNr + 1 - first),
  };
}

/** Appends replicated events after event `after`, as their writer wrote them. */
export function appendEntries(journal: EventJournal, id: string, after: number, entries: readonly JournalEntry[]): Promise<void> {
  const events = entries.map((e) => e.event);
  return journal.append(id, events, after, { writerUid: entries[0].writerUid, tags: entries.map((e) => e.tags) });
}

/**
 * Replaces the entity's history in `journal` by `snapshot` and the events after it, all issued in one
 * turn (one transaction of a durable journal); rejects with the first failure once all settled.
 */
export async function install(journal: EventJournal, id: string, snapshot: SnapshotEntry, entries: readonly JournalEntry[]): Promise<void> {
  const { seqNr, state } = snapshot;
  const writes = [journal.saveSnapshot(id, seqNr, state), journal.deleteSnapshots(id, seqNr - 1), journal.continueAfter(id, seqNr)];
  if (entries.length > 0) writes.push(appendEntries(journal, id, seqNr, entries));
  const failed = (await Promise.allSettled(writes)).find((r) => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}
