// The hand-written sharded entity the distributed data bench compares against: one value per entity,
// "write" replaces it (an event when a journal is given) and answers the previous one, "read" answers
// it. A counter increment, a map put, an enqueue and a dequeue are each one write; a map get one read.
import { Behaviors, type ActorRef, type Behavior, type EventJournal } from "../../src/index.js";

export type EntityMsg =
  { readonly kind: "write"; readonly value: unknown; readonly replyTo: ActorRef<unknown> } | { readonly kind: "read"; readonly replyTo: ActorRef<unknown> };

export const REGION = "bench-entities";
export const NUM_SHARDS = 100;

export function entity(journal: EventJournal | undefined): (entityId: string) => Behavior<EntityMsg> {
  if (journal === undefined) {
    return () =>
      Behaviors.setup(() => {
        let value: unknown;
        return Behaviors.receive((_ctx, msg) => {
          msg.replyTo.tell(value);
          if (msg.kind === "write") value = msg.value;
          return Behaviors.same();
        });
      });
  }
  return (entityId) =>
    Behaviors.eventSourced<EntityMsg, { readonly value: unknown }, unknown>({
      entityId,
      journal,
      initialState: undefined,
      onEvent: (_state, event) => event.value,
      onCommand: (_ctx, state, msg) => {
        if (msg.kind === "read") {
          msg.replyTo.tell(state);
          return Behaviors.same();
        }
        return Behaviors.persisted([{ value: msg.value }], () => msg.replyTo.tell(state));
      },
    });
}
