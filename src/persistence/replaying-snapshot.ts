import type { Behavior } from "../actor/behavior.js";
import type { Incarnation } from "./incarnation.js";
import { replayingEvents } from "./replaying-events.js";
import { RecoveryFailed, SnapshotLoaded } from "./signals.js";

/** First phase of recovery: load the latest snapshot (if any); commands wait in the stash. */
export function replayingSnapshot<C, E, S>(inc: Incarnation<C, E, S>): Behavior<C> {
  inc.signal(
    () => inc.options.journal.loadSnapshot(inc.entityId),
    (snapshot) => new SnapshotLoaded(inc, snapshot),
    (error) => new RecoveryFailed(inc, error),
  );
  return inc.waiting((signal) => {
    if (signal instanceof RecoveryFailed) return inc.recoveryFailed(signal.error);
    if (!(signal instanceof SnapshotLoaded)) return undefined;
    const snapshot = signal.snapshot;
    return snapshot === undefined ? replayingEvents(inc, inc.options.initialState, 0) : replayingEvents(inc, snapshot.state as S, snapshot.seqNr);
  });
}
