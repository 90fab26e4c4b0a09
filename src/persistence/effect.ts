import type { Behavior } from "../actor/behavior.js";

/** What `Behaviors.persisted` returns: events to write, then what to do with the new state. */
export class PersistEffect<C, E, S> {
  constructor(
    readonly events: readonly E[],
     
    readonly andThen: ((state: S) => Behavior<C> | void) | undefined,
  ) {}
}

/** What `onCommand` may answer: `persisted(…)`, or `Behaviors.same()` / `stopped()` / `unhandled()`. */
export type CommandEffect<C, E, S> = PersistEffect<C, E, S> | Behavior<C>;

/**
 * From `onCommand`: write `events` atomically, apply them, then run `then(newState)` (a reply sent
 * there reflects the new state); it returns the next behaviour (default `same`).
 */
 
export function persisted<E, S = never, C = never>(events: readonly E[], then?: (state: S) => Behavior<C> | void): PersistEffect<C, E, S> {
  return new PersistEffect(events, then);
}
