import type { ActorRef } from "../actor/ref.js";

/** How refs inside messages become URIs and back; the actor system implements it. */
export interface RefCodec {
  /** The URI others reach `ref` at (the system may register a temporary ask ref here). */
  addressOf(ref: ActorRef<unknown>): string;
  /** A ref that delivers to `address`, local or remote. */
  resolve(address: string): ActorRef<unknown>;
}
