import type { Logger } from "./logger.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventClass<E> = abstract new (...args: any[]) => E;
type Listener = (event: never) => void;

/** Publish/subscribe by event class; a subscription to a base class also sees its subclasses. */
export class EventStream {
  private readonly listeners = new Map<EventClass<unknown>, Set<Listener>>();

  constructor(private readonly log: Logger) {}

  subscribe<E>(eventClass: EventClass<E>, listener: (event: E) => void): () => void {
    let set = this.listeners.get(eventClass);
    if (set === undefined) this.listeners.set(eventClass, (set = new Set()));
    const entry = listener as Listener;
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0 && this.listeners.get(eventClass) === set) this.listeners.delete(eventClass);
    };
  }

  /** Cheap check so hot paths can skip building events nobody listens to. */
  hasSubscribers(eventClass: EventClass<unknown>): boolean {
    if (this.listeners.size === 0) return false;
    for (let c: EventClass<unknown> | null = eventClass; c !== null && c !== Object; c = superclass(c)) {
      if (this.listeners.has(c)) return true;
    }
    return false;
  }

  publish(event: object): void {
    if (this.listeners.size === 0) return;
    for (let c: EventClass<unknown> | null = event.constructor as EventClass<unknown>; c !== null && c !== Object; c = superclass(c)) {
      const set = this.listeners.get(c);
      if (set === undefined) continue;
      for (const listener of [...set]) {
        try {
          (listener as (e: object) => void)(event);
        } catch (error) {
          this.log.error(`event listener for ${event.constructor.name} failed`, error);
        }
      }
    }
  }
}

function superclass(eventClass: EventClass<unknown>): EventClass<unknown> | null {
  return Object.getPrototypeOf(eventClass) as EventClass<unknown> | null;
}
