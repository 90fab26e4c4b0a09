import { JournalCorruptError } from "./errors.js";
import type { Incarnation } from "./incarnation.js";
import type { Recovered } from "./replaying-snapshot.js";

/**
 * Second phase of recovery: the events after the snapshot, applied in order. Without any, the journal's
 * highest sequence number says where to continue (events past the snapshot may have been deleted, as
 * `destroy` of a distributed structure does): numbers are never reused.
 */
export async function replayingEvents<C, E, S>(inc: Incarnation<C, E, S>, from: Recovered<S>): Promise<Recovered<S>> {
  const { journal, onEvent, entityId } = inc.options;
  let { state, seqNr } = from;
  for await (const entry of journal.replay(entityId, seqNr + 1)) {
    if (entry.seqNr !== seqNr + 1)
      throw new JournalCorruptError(`entity ${JSON.stringify(entityId)}: expected event ${seqNr + 1}, the journal has ${entry.seqNr}`);
    state = onEvent(state, entry.event as E);
    seqNr = entry.seqNr;
  }
  if (seqNr === from.seqNr) seqNr = Math.max(seqNr, await journal.highestSeqNr(entityId));
  return { state, seqNr };
}
