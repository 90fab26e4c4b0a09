import type { ActorContext } from "../actor/api.js";
import type { ActorRef } from "../actor/ref.js";
import { wrappedMessage, type WrapsMessage } from "../actor/wrapped.js";
import type { KeyedCodec } from "../serialization/index.js";

/** A message for the entity `entityId` of a sharded type; the region routes it to wherever the entity lives. */
export class ShardEnvelope<M> implements WrapsMessage {
  constructor(
    readonly entityId: string,
    readonly message: M,
  ) {
    if (typeof entityId !== "string" || entityId.length === 0) {
      throw new TypeError(`ShardEnvelope needs a non-empty string entity id, got ${JSON.stringify(entityId)}`);
    }
  }

  /** The entity's message, e.g. for an ask whose envelope became a dead letter (it then rejects at once). */
  get [wrappedMessage](): M {
    return this.message;
  }
}

/**
 * An envelope on its way from one region to another (also its wire form between regions, class
 * "casty.RoutedEnvelope"). `hops` counts the forwards, so regions whose routing tables disagree cannot
 * pass it around for ever.
 */
export class RoutedEnvelope<M> extends ShardEnvelope<M> {
  constructor(
    entityId: string,
    message: M,
    public hops: number,
  ) {
    super(entityId, message);
  }
}

/**
 * How remoting carries both envelope classes between nodes: the entity id in the batch's key table,
 * the hops in the envelope, the message as the payload (no wrapper to encode or decode).
 */
export const shardEnvelopeCodec: KeyedCodec<ShardEnvelope<unknown>> = {
  key: (envelope) => envelope.entityId,
  message: (envelope) => envelope.message,
  hops: (envelope) => (envelope instanceof RoutedEnvelope ? envelope.hops : 0),
  wrap: (entityId, message, hops) => (hops === 0 ? new ShardEnvelope(entityId, message) : new RoutedEnvelope(entityId, message, hops)),
};

/** Sent by an entity to its region (see `passivate`): stop me now; the next message starts me again. */
export class Passivate {
  constructor(readonly entity: ActorRef<never>) {}
}

/** Called by an entity to be stopped while idle; messages that arrive meanwhile start it again. */
export function passivate(ctx: ActorContext<never>): void {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: the parent is an ActorRef<never>
  (ctx.parent as ActorRef<Passivate> | undefined)?.tell(new Passivate(ctx.self));
}
