/**
 * Key under which a wrapper of another message (such as sharding's `ShardEnvelope`) exposes the
 * message it carries, so the runtime can look inside, e.g. for the reply ref of an ask whose request
 * became a dead letter. A getter on the wrapper's class costs nothing per message and stays off the wire.
 */
export const wrappedMessage: unique symbol = Symbol.for("casty.wrappedMessage");

export interface WrapsMessage {
  readonly [wrappedMessage]: unknown;
}
