import { LocalBehaviors, type Behavior, type Next } from "../actor/behavior.js";
import { PersistEffect, type CommandEffect } from "./effect.js";
import type { Incarnation } from "./incarnation.js";
import { persisting } from "./persisting.js";

/** The entity is recovered: each command runs `onCommand` against `state`. */
export function running<C, E, S>(inc: Incarnation<C, E, S>, state: S, seqNr: number): Behavior<C> {
  return LocalBehaviors.receive((ctx, command) => {
    const effect = inc.options.onCommand(ctx, state, command);
    if (effect instanceof Promise) return effect.then((e) => afterCommand(inc, state, seqNr, command, e));
    return afterCommand(inc, state, seqNr, command, effect);
  });
}

function afterCommand<C, E, S>(inc: Incarnation<C, E, S>, state: S, seqNr: number, command: C, effect: CommandEffect<C, E, S>): Next<C> {
  const outcome = inc.outcome(command, effect);
  if (!(outcome instanceof PersistEffect)) return outcome ?? LocalBehaviors.same();
  if (outcome.events.length > 0) return persisting(inc, state, seqNr, command, outcome, running);
  return (inc.outcome(command, outcome.andThen?.(state)) as Behavior<C> | undefined) ?? LocalBehaviors.same();
}
