import { type Command, type Decision, type Structure, unknownOperation } from "./structure.js";
import { emptyBuckets, hasKey, withEntry, withoutKey, type Buckets } from "./buckets.js";
import { valueIdentity, type EncodedValue } from "./value.js";

export type SetEvent =
  { readonly kind: "added"; readonly value: EncodedValue } | { readonly kind: "removed"; readonly value: EncodedValue } | { readonly kind: "destroyed" };

/** A set: its members by identity (manifest and bytes). */
export type SetState = Buckets<EncodedValue>;

export const setStructure: Structure<SetState, SetEvent> = {
  initial: emptyBuckets(),
  apply: (state, event) => {
    switch (event.kind) {
      case "added":
        return withEntry(state, valueIdentity(event.value), event.value);
      case "removed":
        return withoutKey(state, valueIdentity(event.value));
      case "destroyed":
        return setStructure.initial;
    }
  },
  decide: (ctx, state, command: Command): Decision<SetEvent> => {
    switch (command.op) {
      case "add": {
        const value = command.arg as EncodedValue;
        return hasKey(state, valueIdentity(value)) ? { events: [], reply: false } : { events: [{ kind: "added", value }], reply: true };
      }
      case "remove": {
        const value = command.arg as EncodedValue;
        return hasKey(state, valueIdentity(value)) ? { events: [{ kind: "removed", value }], reply: true } : { events: [], reply: false };
      }
      case "contains":
        return { events: [], reply: hasKey(state, valueIdentity(command.arg as EncodedValue)) };
      case "size":
        return { events: [], reply: state.size };
      case "destroy":
        return { events: [{ kind: "destroyed" }], reply: true, erase: true };
      default:
        return unknownOperation(ctx, "set", command);
    }
  },
};
