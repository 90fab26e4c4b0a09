import { JournalCorruptError } from "./errors.js";
import type { Incarnation } from "./incarnation.js";
import type { Recovered } from "./replaying-snapshot.js";

/**
 * Second phase of recovery: the events after the snapshot, applied in order. Without a snapshot, the
 * first events may have been deleted (as `destroy` of a distributed structure does, before the id is
 * used again): the history then starts at the first event still there, or, without any, after the
 * journal's highest sequence number: numbers are never reused. Any other gap is corruption: appends
 * cannot leave one, and retention deletes only events that a kept snapshot covers.
 */
export async function replayingEvents<C, E, S>(inc: Incarnation<C, E, S>, from: Recovered<S>): Promise<Recovered<S>> {
  const { journal, onEvent, entityId } = inc.options;
  let { state, seqNr } = from;
  for await (const entry of journal.replay(entityId, seqNr + 1)) {
    if (seqNr === 0) seqNr = entry.seqNr - 1; // no snapshot: the ones before this one were deleted
    if (entry.seqNr !== seqNr + 1)
      throw new JournalCorruptError(`entity ${JSON.stringify(entityId)}: expected event ${seqNr + 1}, the journal has ${entry.seqNr}`);
    state = onEvent(state, entry.event as E);
    seqNr = entry.seqNr;
  }
  if (seqNr === from.seqNr) seqNr = Math.max(seqNr, await journal.highestSeqNr(entityId));
  return { state, seqNr };
}
