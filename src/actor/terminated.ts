import type { ActorRef } from "./ref.js";

/** Delivered to a watcher when the watched actor stops (`ctx.watch`). */
export class Terminated {
  constructor(readonly ref: ActorRef<never>) {}
}
