// Entities stop through their own mailbox: the region sends STOP_ENTITY after the messages it already
// delivered, so a passivated or handed-off entity handles all of them first (stopping it from outside
// would turn its queued messages into dead letters).
import { LifecycleBehavior, LocalBehaviors, ReceiveBehavior, SetupBehavior, SuperviseBehavior, Tag, type Behavior, type Next } from "../actor/behavior.js";

class StopEntity {}
/** The region's request to an entity to stop once it has handled what is before it in its mailbox. */
export const STOP_ENTITY: unknown = new StopEntity();

/** A receive layer that stops on STOP_ENTITY and wraps whatever its handler becomes. */
class StoppableReceive<M> extends ReceiveBehavior<M> {}

/** `behavior` with every receive layer (also those it becomes later) stopping on STOP_ENTITY. */
export function stoppableEntity<M>(behavior: Behavior<M>): Behavior<M> {
  if (behavior === undefined || behavior === null) return behavior; // the cell reports the mistake
  switch (behavior.tag) {
    case Tag.receive: {
      if (behavior instanceof StoppableReceive) return behavior;
      const handler = (behavior as ReceiveBehavior<M>).handler;
      return new StoppableReceive<M>((ctx, message) => (message === STOP_ENTITY ? LocalBehaviors.stopped() : stoppableNext(handler(ctx, message))));
    }
    case Tag.setup: {
      const factory = (behavior as SetupBehavior<M>).factory;
      return new SetupBehavior<M>((ctx) => stoppableNext(factory(ctx)));
    }
    case Tag.supervise:
      return new SuperviseBehavior(stoppableEntity((behavior as SuperviseBehavior<M>).inner), (behavior as SuperviseBehavior<M>).strategy);
    case Tag.lifecycle:
      return new LifecycleBehavior(stoppableEntity((behavior as LifecycleBehavior<M>).inner), (behavior as LifecycleBehavior<M>).hooks);
    default:
      return behavior; // same, stopped, unhandled, restart
  }
}

function stoppableNext<M>(next: Next<M>): Next<M> {
  return next instanceof Promise ? next.then(stoppableEntity) : stoppableEntity(next);
}
