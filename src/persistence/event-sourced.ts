import { LocalBehaviors, type Behavior } from "../actor/behavior.js";
import { InvalidOptionError } from "../actor/errors.js";
import { RecoveryFailedError } from "./errors.js";
import type { EventSourcedOptions } from "./event-sourced-options.js";
import { Incarnation } from "./incarnation.js";
import { replayingEvents } from "./replaying-events.js";
import { replayingSnapshot } from "./replaying-snapshot.js";
import { running } from "./running.js";

/**
 * An entity whose state is the fold of its events: it recovers from the journal (snapshot, then the
 * later events) on start and on every restart, and changes state only through `Behaviors.persisted`.
 * Commands that arrive while it recovers or persists wait in its mailbox and run after, in order.
 */
export function eventSourced<C, E, S>(options: EventSourcedOptions<C, E, S>): Behavior<C> {
  if (typeof options.entityId !== "string" || options.entityId === "") throw new InvalidOptionError("eventSourced: entityId must be a non-empty string");
  const behavior = LocalBehaviors.setup<C>(async (ctx) => {
    const inc = new Incarnation(ctx, options);
    try {
      await inc.hook?.recovering(ctx.self);
      const { state, seqNr } = await replayingEvents(inc, await replayingSnapshot(inc));
      return running(inc, state, seqNr);
    } catch (error) {
      throw new RecoveryFailedError(options.entityId, error);
    }
  });
  built.set(behavior, options as EventSourcedOptions<unknown, unknown, unknown>);
  return behavior;
}

const built = new WeakMap<Behavior<never>, EventSourcedOptions<unknown, unknown, unknown>>();

/** The options an event-sourced behaviour was built with (its journal, for replication), undefined for any other behaviour. */
export function eventSourcedOptionsOf(behavior: Behavior<never>): EventSourcedOptions<unknown, unknown, unknown> | undefined {
  return built.get(behavior);
}
