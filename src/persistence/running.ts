import { LocalBehaviors, type Behavior, type Next } from "../actor/behavior.js";
import { PersistEffect, type CommandEffect } from "./effect.js";
import type { Incarnation, Outcome } from "./incarnation.js";
import { persisting } from "./persisting.js";
import { Signal } from "./signals.js";

/** The entity is recovered and idle: each command runs `onCommand` against `state`. */
export function running<C, E, S>(inc: Incarnation<C, E, S>, state: S, seqNr: number): Behavior<C> {
  return LocalBehaviors.receive((ctx, message) => {
    if (message instanceof Signal) return LocalBehaviors.same(); // a late answer to an older life
    const effect = inc.options.onCommand(ctx, state, message);
    if (effect instanceof Promise) return effect.then((e) => afterCommand(inc, state, seqNr, message, e) ?? LocalBehaviors.same());
    return afterCommand(inc, state, seqNr, message, effect) ?? LocalBehaviors.same();
  });
}

/**
 * Handles the stashed commands in order against `state`, then runs. A command that persists stops the
 * drain: the rest wait in the stash for that write.
 */
export function drain<C, E, S>(inc: Incarnation<C, E, S>, state: S, seqNr: number): Next<C> {
  while (inc.stash.length > 0) {
    const command = inc.stash.take();
    const effect = inc.options.onCommand(inc.ctx, state, command);
    if (effect instanceof Promise) return effect.then((e) => afterCommand(inc, state, seqNr, command, e) ?? drain(inc, state, seqNr));
    const next = afterCommand(inc, state, seqNr, command, effect);
    if (next !== undefined) return next;
  }
  return running(inc, state, seqNr);
}

function afterCommand<C, E, S>(inc: Incarnation<C, E, S>, state: S, seqNr: number, command: C, effect: CommandEffect<C, E, S>): Outcome<C> {
  const outcome = inc.outcome(command, effect);
  if (!(outcome instanceof PersistEffect)) return outcome;
  if (outcome.events.length > 0) return persisting(inc, state, seqNr, command, outcome, drain);
  return inc.outcome(command, outcome.andThen?.(state)) as Outcome<C>;
}
