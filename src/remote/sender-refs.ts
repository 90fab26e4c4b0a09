import type { DeliveryFlushes } from "./delivery-flushes.js";
import type { Peer } from "./peer.js";

/**
 * This node's ask refs travel to a peer as their bare path (`/temp/$…`) instead of a full URI, and a
 * bare path in a peer's batch is read as a ref on that peer: every ask then saves the URI's bytes,
 * its encoding and its parsing. The node sets these while an endpoint encodes a message and while a
 * peer's batch is delivered (see `Remoting.addressOf` and `Remoting.resolve`).
 */
export interface SenderRefs {
  /** An endpoint is encoding a message for its peer. */
  encodingForPeer: boolean;
  /** The peer whose batch is being delivered. */
  batchSender: Peer | undefined;
  /** Begun and ended around each delivery of a peer's batch: writes of the replies wait for its end. */
  readonly deliveryFlushes: DeliveryFlushes;
}
