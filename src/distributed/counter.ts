import { type Command, type Decision, type Structure, unknownOperation } from "./structure.js";

export type CounterEvent = { readonly kind: "added"; readonly delta: number } | { readonly kind: "destroyed" };

/** A counter: its value; `add` answers the new value. */
export const counterStructure: Structure<number, CounterEvent> = {
  initial: 0,
  apply: (value, event) => (event.kind === "added" ? value + event.delta : 0),
  decide: (ctx, value, command: Command): Decision<CounterEvent> => {
    switch (command.op) {
      case "add": {
        const delta = command.arg as number;
        return { events: [{ kind: "added", delta }], reply: value + delta };
      }
      case "get":
        return { events: [], reply: value };
      case "destroy":
        return { events: [{ kind: "destroyed" }], reply: true, erase: true };
      default:
        return unknownOperation(ctx, "counter", command);
    }
  },
};
