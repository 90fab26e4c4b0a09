import type { ActorRef } from "./api.js";

export class ActorStarted {
  constructor(readonly ref: ActorRef<never>) {}
}
export class ActorStopped {
  constructor(readonly ref: ActorRef<never>) {}
}
export class ActorRestarted {
  constructor(
    readonly ref: ActorRef<never>,
    readonly error: unknown,
  ) {}
}
/** A message that could not be delivered (stopped target, full mailbox, lost connection, …). */
export class DeadLetter {
  constructor(
    readonly message: unknown,
    readonly recipient: ActorRef<never> | undefined,
    readonly reason = "recipient is terminated",
  ) {}
}
/** A message the actor's behaviour answered with `Behaviors.unhandled()`. */
export class UnhandledMessage {
  constructor(
    readonly message: unknown,
    readonly ref: ActorRef<never>,
  ) {}
}
