import { type Command, type Decision, type Structure, unknownOperation } from "./structure.js";
import type { Item } from "./value.js";

export type QueueEvent = { readonly kind: "enqueued"; readonly value: Item } | { readonly kind: "dequeued" } | { readonly kind: "destroyed" };

interface Cons {
  readonly head: Item;
  readonly tail: Cons | undefined;
}

/**
 * A FIFO queue as an immutable value with O(1) amortised steps: items are taken from `front` (from
 * `index` on) and added to `back` (newest first), which becomes the next front when front runs out.
 */
export interface QueueState {
  readonly front: readonly Item[];
  readonly index: number;
  readonly back: Cons | undefined;
  readonly size: number;
}

const empty: QueueState = { front: [], index: 0, back: undefined, size: 0 };

function reversed(list: Cons | undefined): Item[] {
  const items: Item[] = [];
  for (let cell = list; cell !== undefined; cell = cell.tail) items.push(cell.head);
  return items.reverse();
}

/** The same queue with its oldest item at `front[index]` (when it has one). */
function ready(state: QueueState): QueueState {
  return state.index < state.front.length || state.back === undefined ? state : { front: reversed(state.back), index: 0, back: undefined, size: state.size };
}

function oldest(state: QueueState): Item | undefined {
  const next = ready(state);
  return next.front[next.index];
}

export const queueStructure: Structure<QueueState, QueueEvent> = {
  initial: empty,
  apply: (state, event) => {
    switch (event.kind) {
      case "enqueued":
        return { front: state.front, index: state.index, back: { head: event.value, tail: state.back }, size: state.size + 1 };
      case "dequeued": {
        if (state.size === 0) return state;
        const next = ready(state);
        return { front: next.front, index: next.index + 1, back: next.back, size: next.size - 1 };
      }
      case "destroyed":
        return empty;
    }
  },
  decide: (ctx, state, command: Command): Decision<QueueEvent> => {
    switch (command.op) {
      case "enqueue":
        return { events: [{ kind: "enqueued", value: command.arg as Item }], reply: state.size + 1 };
      case "dequeue":
        return state.size === 0 ? { events: [], reply: undefined } : { events: [{ kind: "dequeued" }], reply: oldest(state) };
      case "peek":
        return { events: [], reply: oldest(state) };
      case "size":
        return { events: [], reply: state.size };
      case "destroy":
        return { events: [{ kind: "destroyed" }], reply: true, erase: true };
      default:
        return unknownOperation(ctx, "queue", command);
    }
  },
};
