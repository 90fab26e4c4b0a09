import { LocalBehaviors, type Behavior } from "../actor/behavior.js";
import { InvalidOptionError, requirePositive } from "../actor/errors.js";
import type { EventSourcedOptions } from "./event-sourced-options.js";
import { Incarnation } from "./incarnation.js";
import { replayingSnapshot } from "./replaying-snapshot.js";

/**
 * An entity whose state is the fold of its events: it recovers from the journal (snapshot, then the
 * later events) on start and on every restart, and changes state only through `Behaviors.persisted`.
 */
export function eventSourced<C, E, S>(options: EventSourcedOptions<C, E, S>): Behavior<C> {
  if (typeof options.entityId !== "string" || options.entityId === "") throw new InvalidOptionError("eventSourced: entityId must be a non-empty string");
  if (options.stashCapacity !== undefined) requirePositive(options.stashCapacity, "eventSourced: stashCapacity", { integer: true });
  return LocalBehaviors.setup((ctx) => replayingSnapshot(new Incarnation(ctx, options)));
}
