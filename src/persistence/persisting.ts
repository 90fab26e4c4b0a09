import type { Behavior, Next } from "../actor/behavior.js";
import type { PersistEffect } from "./effect.js";
import type { Incarnation, Outcome } from "./incarnation.js";
import { WriteFailed, WriteSucceeded } from "./signals.js";

/**
 * The events of `effect` are being written after `seqNr`; commands wait in the stash. Once written
 * they are applied, `then(newState)` runs, and `resume` (the running phase) handles the stash; a failed
 * write applies nothing.
 */
export function persisting<C, E, S>(
  inc: Incarnation<C, E, S>,
  state: S,
  seqNr: number,
  command: C,
  effect: PersistEffect<C, E, S>,
  resume: (inc: Incarnation<C, E, S>, state: S, seqNr: number) => Next<C>,
): Behavior<C> {
  const { events } = effect;
  inc.signal(
    () => inc.options.journal.append(inc.entityId, events, seqNr, { writerUid: inc.writerUid }),
    () => new WriteSucceeded(inc),
    (error) => new WriteFailed(inc, error),
  );
  return inc.waiting((signal) => {
    if (signal instanceof WriteFailed) return inc.writeFailed(signal.error);
    if (!(signal instanceof WriteSucceeded)) return undefined;
    let next = state;
    for (const event of events) next = inc.options.onEvent(next, event);
    const toSeqNr = seqNr + events.length;
    inc.maybeSnapshot(seqNr, toSeqNr, next);
    const outcome = inc.outcome(command, effect.andThen?.(next)) as Outcome<C>;
    return outcome ?? resume(inc, next, toSeqNr);
  });
}
