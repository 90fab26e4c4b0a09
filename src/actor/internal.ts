/**
 * @internal Runtime services for the higher layers (remote, cluster, sharding, …), not for users.
 * They work on refs, so no layer reaches into an actor's cell.
 */
import type { ActorRef } from "./api.js";
import { LocalActorRef, type KeyedRoute } from "./local-ref.js";

/** @internal Queued by `stopAfterPending`: the cell stops when it reaches it, after what was queued before. */
export const STOP_AFTER_PENDING: unique symbol = Symbol("stop after pending messages");

/**
 * @internal Stops the actor behind a local ref once it has handled every message queued before this
 * call (stopping it at once would turn those into dead letters). For infrastructure such as sharding.
 */
export function stopAfterPending(ref: ActorRef<never>): void {
  if (ref instanceof LocalActorRef && !ref.cell.isTerminated) (ref.cell as LocalActorRef<unknown>["cell"]).enqueue(STOP_AFTER_PENDING);
}

/**
 * @internal Lets `route` take messages for the actor behind a local ref within the sender's `tell`
 * while the actor is idle (nothing queued, nothing in flight), instead of its behaviour in a turn of
 * the dispatcher: it returns true when it handled the message, false to leave it to the behaviour.
 * Order is kept and one message still runs at a time; a throw fails the actor, as a handler's would.
 * For routers whose handling of those messages is one short sync call, such as a shard region.
 */
export function receiveInline<M>(ref: ActorRef<M>, route: (message: M) => boolean): void {
  if (ref instanceof LocalActorRef) (ref.cell as LocalActorRef<M>["cell"]).inline = route;
}

/**
 * @internal Lets an actor that routes inline (`receiveInline`) take keyed messages from another node
 * (see `KeyedCodec`) without their wrapper: while it is idle, `route` runs within the delivery, as the
 * wrapper's handling would (what it routes on with `routeOn` is a delivery from the wire). When it does
 * not route the message, remoting wraps it and delivers it as usual. `known` is what it returned for
 * the same key before, if remoting kept it: the route must check it still holds.
 */
export function receiveKeyedInline(ref: ActorRef<never>, route: KeyedRoute): void {
  if (ref instanceof LocalActorRef) (ref.cell as LocalActorRef<never>["cell"]).keyedInline = route;
}

/** @internal A keyed message from another node routed by its idle recipient at once (see `receiveKeyedInline`): the route, or undefined (then wrap and deliver it). */
export function routeKeyedFromWire(ref: ActorRef<unknown>, key: string, message: unknown, known: object | undefined): object | undefined {
  return ref instanceof LocalActorRef ? (ref.cell as LocalActorRef<unknown>["cell"]).receiveKeyedOffWire(key, message, known) : undefined;
}

/**
 * @internal Where a message from another node is on its way: `delivering` while remoting hands it to
 * its recipient (see `tellFromWire`), `routing` while an actor that routes inline (`receiveInline`)
 * handles one that came so (see `routeOn`). Both are false while any handler runs otherwise.
 */
export const fromWire = { delivering: false, routing: false };

/**
 * @internal Delivers a message that arrived from another node. No user code is the caller, so an idle
 * recipient (nothing queued, nothing in flight) handles it within this call instead of in a dispatcher
 * turn: a batch over many actors then costs no turn per actor. What the handler sends is queued as
 * usual, and the dispatcher's time slice bounds how much runs this way (`Dispatcher.admitInline`).
 * For remoting's inbound batches.
 */
export function tellFromWire<M>(ref: ActorRef<M>, message: M): void {
  const previous = fromWire.delivering;
  fromWire.delivering = true;
  try {
    ref.tell(message);
  } finally {
    fromWire.delivering = previous;
  }
}

/**
 * @internal Passes on what an actor that routes inline (a shard region) is handling: when that came
 * from another node, so does the message routed on (an idle target handles it within the delivery);
 * otherwise it is a plain tell. Everything else the router runs meanwhile (an entity's setup, dead
 * letters) is no delivery from the network.
 */
export function routeOn<M>(ref: ActorRef<M>, message: M): void {
  if (fromWire.routing) tellFromWire(ref, message);
  else ref.tell(message);
}
