// Entities stop through their own mailbox: the region sends STOP_ENTITY after the messages it already
// delivered, so a passivated or handed-off entity handles all of them first (stopping it from outside
// would turn its queued messages into dead letters).
import { LifecycleBehavior, LocalBehaviors, ReceiveBehavior, SetupBehavior, SuperviseBehavior, Tag, type Behavior, type Next } from "../actor/behavior.js";

class StopEntity {}
/** The region's request to an entity to stop once it has handled what is before it in its mailbox. */
export const STOP_ENTITY: unknown = new StopEntity();

const wrapped = new WeakMap<Behavior<never>, Behavior<never>>();

/** `behavior` with every receive layer (also those it becomes later) stopping on STOP_ENTITY. */
export function stoppableEntity<M>(behavior: Behavior<M>): Behavior<M> {
  if (behavior === undefined || behavior === null) return behavior;
  const known = wrapped.get(behavior as Behavior<never>);
  if (known !== undefined) return known as Behavior<M>;
  let result: Behavior<M>;
  switch (behavior.tag) {
    case Tag.receive: {
      const handler = (behavior as ReceiveBehavior<M>).handler;
      result = new ReceiveBehavior<M>((ctx, message) => (message === STOP_ENTITY ? LocalBehaviors.stopped() : stoppableNext(handler(ctx, message))));
      break;
    }
    case Tag.setup: {
      const factory = (behavior as SetupBehavior<M>).factory;
      result = new SetupBehavior<M>((ctx) => stoppableNext(factory(ctx)));
      break;
    }
    case Tag.supervise:
      result = new SuperviseBehavior(stoppableEntity((behavior as SuperviseBehavior<M>).inner), (behavior as SuperviseBehavior<M>).strategy);
      break;
    case Tag.lifecycle:
      result = new LifecycleBehavior(stoppableEntity((behavior as LifecycleBehavior<M>).inner), (behavior as LifecycleBehavior<M>).hooks);
      break;
    default:
      return behavior; // same, stopped, unhandled, restart
  }
  wrapped.set(behavior as Behavior<never>, result as Behavior<never>);
  wrapped.set(result as Behavior<never>, result as Behavior<never>);
  return result;
}

function stoppableNext<M>(next: Next<M>): Next<M> {
  return next instanceof Promise ? next.then(stoppableEntity) : stoppableEntity(next);
}
