import type { Incarnation } from "./incarnation.js";

/** Where recovery stands: the state after event `seqNr`. */
export interface Recovered<S> {
  readonly state: S;
  readonly seqNr: number;
}

/** First phase of recovery: the latest snapshot, or the initial state before event 1. */
export async function replayingSnapshot<C, E, S>(inc: Incarnation<C, E, S>): Promise<Recovered<S>> {
  const snapshot = await inc.options.journal.loadSnapshot(inc.entityId);
  return snapshot === undefined ? { state: inc.options.initialState, seqNr: 0 } : { state: snapshot.state as S, seqNr: snapshot.seqNr };
}
