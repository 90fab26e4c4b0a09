import type { Behavior } from "../actor/api.js";
import { LocalBehaviors } from "../actor/behavior.js";
import type { ActorRef } from "../actor/ref.js";
import { Terminated } from "../actor/terminated.js";
import type { Serialization } from "../serialization/index.js";

export class Subscribe {
  constructor(readonly ref: ActorRef<unknown>) {}
}

export class Unsubscribe {
  constructor(readonly ref: ActorRef<unknown>) {}
}

/** A message published to a topic, on its way to the topic actor of one node. */
export class Published {
  constructor(readonly message: unknown) {}
}

export function registerTopicProtocol(serialization: Serialization): void {
  serialization.registerClass(Published, "casty.topic.Published");
}

export function topicActorName(name: string): string {
  return `topic.${encodeURIComponent(name)}`;
}

/**
 * One topic on one node: its local subscribers (dropped when they stop). `listed(true)` when it has
 * subscribers (the receptionist then lists it), `listed(false)` when the last one left.
 */
export function topicActor(listed: (self: ActorRef<unknown>, yes: boolean) => void): Behavior<unknown> {
  return LocalBehaviors.setup<unknown>((ctx) => {
    let subscribers: readonly ActorRef<unknown>[] = [];
    const set = (next: readonly ActorRef<unknown>[]): void => {
      if ((subscribers.length === 0) !== (next.length === 0)) listed(ctx.self, next.length > 0);
      subscribers = next;
    };
    const remove = (ref: ActorRef<unknown>): void => {
      if (subscribers.some((s) => s.equals(ref))) set(subscribers.filter((s) => !s.equals(ref)));
    };
    return LocalBehaviors.receive<unknown>((_ctx, message) => {
      if (message instanceof Published) for (const subscriber of subscribers) subscriber.tell(message.message);
      else if (message instanceof Subscribe) {
        if (!subscribers.some((s) => s.equals(message.ref))) {
          ctx.watch(message.ref);
          set([...subscribers, message.ref]);
        }
      } else if (message instanceof Unsubscribe) {
        ctx.unwatch(message.ref);
        remove(message.ref);
      } else if (message instanceof Terminated) remove(message.ref);
      return LocalBehaviors.same();
    });
  });
}
