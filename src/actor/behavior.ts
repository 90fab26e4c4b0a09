import type { ActorContext, Behavior, Handler, LifecycleHooks, Next } from "./api.js";
import type { SupervisorStrategy } from "./supervision.js";

export type { Behavior, Handler, LifecycleHooks, Next } from "./api.js";

/** Numeric tags let the cell dispatch on a behaviour without `instanceof` chains. */
export const Tag = {
  receive: 0,
  setup: 1,
  same: 2,
  stopped: 3,
  unhandled: 4,
  restart: 5,
  supervise: 6,
  lifecycle: 7,
} as const;

export class ReceiveBehavior<M> implements Behavior<M> {
  readonly tag = Tag.receive;
  constructor(readonly handler: Handler<M>) {}
}

export class SetupBehavior<M> implements Behavior<M> {
  readonly tag = Tag.setup;
  constructor(readonly factory: (ctx: ActorContext<M>) => Next<M>) {}
}

export class SuperviseBehavior<M> implements Behavior<M> {
  readonly tag = Tag.supervise;
  constructor(
    readonly inner: Behavior<M>,
    readonly strategy: SupervisorStrategy,
  ) {}
}

export class LifecycleBehavior<M> implements Behavior<M> {
  readonly tag = Tag.lifecycle;
  constructor(
    readonly inner: Behavior<M>,
    readonly hooks: LifecycleHooks<M>,
  ) {}
}

const same: Behavior<unknown> = { tag: Tag.same };
const stopped: Behavior<unknown> = { tag: Tag.stopped };
const unhandled: Behavior<unknown> = { tag: Tag.unhandled };
const restart: Behavior<unknown> = { tag: Tag.restart };

/** Small factories for behaviours, after Akka Typed's `Behaviors`. */
export const LocalBehaviors = {
  receive<M>(handler: Handler<M>): Behavior<M> {
    return new ReceiveBehavior(handler);
  },
  /** Runs `factory` with the context when the actor starts (and again on every restart). */
  setup<M>(factory: (ctx: ActorContext<M>) => Next<M>): Behavior<M> {
    return new SetupBehavior(factory);
  },
  same<M>(): Behavior<M> {
    return same;
  },
  stopped<M>(): Behavior<M> {
    return stopped;
  },
  unhandled<M>(): Behavior<M> {
    return unhandled;
  },
  restart<M>(): Behavior<M> {
    return restart;
  },
  supervise<M>(behavior: Behavior<M>, strategy: SupervisorStrategy): Behavior<M> {
    return new SuperviseBehavior(behavior, strategy);
  },
  withLifecycle<M>(behavior: Behavior<M>, hooks: LifecycleHooks<M>): Behavior<M> {
    return new LifecycleBehavior(behavior, hooks);
  },
};

/** Whether `value` can be a behaviour (handlers from plain JS or behind casts may return anything). */
export function isBehavior(value: unknown): value is Behavior<never> {
  return typeof value === "object" && value !== null && typeof (value as { tag?: unknown }).tag === "number";
}

/** Names a value that should have been a behaviour, for error messages. */
export function describeNonBehavior(value: unknown): string {
  if (typeof value !== "object" || value === null) return String(value);
  const prototype = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  return `a ${prototype?.constructor?.name ?? "null-prototype"} object`;
}
