import type { Behavior } from "../actor/behavior.js";
import { JournalCorruptError } from "./errors.js";
import type { Incarnation } from "./incarnation.js";
import { drain } from "./running.js";
import { EventsReplayed, RecoveryFailed } from "./signals.js";

/** Second phase of recovery: apply the events after the snapshot, then handle the stash and run. */
export function replayingEvents<C, E, S>(inc: Incarnation<C, E, S>, state: S, seqNr: number): Behavior<C> {
  inc.signal(
    () => replay(inc, state, seqNr),
    (recovered) => new EventsReplayed(inc, recovered.state, recovered.seqNr),
    (error) => new RecoveryFailed(inc, error),
  );
  return inc.waiting((signal) => {
    if (signal instanceof RecoveryFailed) return inc.recoveryFailed(signal.error);
    if (!(signal instanceof EventsReplayed)) return undefined;
    return drain(inc, signal.state as S, signal.seqNr);
  });
}

async function replay<C, E, S>(inc: Incarnation<C, E, S>, state: S, seqNr: number): Promise<{ state: S; seqNr: number }> {
  const { journal, onEvent, entityId } = inc.options;
  for await (const entry of journal.replay(entityId, seqNr + 1)) {
    if (entry.seqNr !== seqNr + 1)
      throw new JournalCorruptError(`entity ${JSON.stringify(entityId)}: expected event ${seqNr + 1}, the journal has ${entry.seqNr}`);
    state = onEvent(state, entry.event as E);
    seqNr = entry.seqNr;
  }
  return { state, seqNr };
}
