import type { ActorContext } from "../actor/api.js";
import type { ActorRef } from "../actor/ref.js";
import { ShardEnvelope } from "../sharding/envelope.js";
import { emptyBuckets, hasKey, keysOf, withEntry, withoutKey, type Buckets } from "./buckets.js";
import { type Command, type Decision, LATER, type Structure, unknownOperation } from "./structure.js";
import type { EncodedValue } from "./value.js";

/** The entity of a map that lists its keys (entities), so that `destroy` reaches every one. */
export const KEY_INDEX = "#keys";

export type MapKeyEvent =
  { readonly kind: "put"; readonly value: EncodedValue; readonly indexed: boolean } | { readonly kind: "deleted" } | { readonly kind: "destroyed" };

/** One key of a map: its value, and whether the index lists it already. */
export interface MapKeyState {
  readonly value: EncodedValue | undefined;
  readonly indexed: boolean;
}

const absent: MapKeyState = { value: undefined, indexed: false };

function region(ctx: ActorContext<Command>): ActorRef<ShardEnvelope<Command>> {
  return ctx.parent as ActorRef<ShardEnvelope<Command>>;
}

/** A map key (one entity per key): linearizable per key. */
export function mapKeyStructure(entityId: string, indexTimeout: number): Structure<MapKeyState, MapKeyEvent> {
  const put = (state: MapKeyState, value: EncodedValue): Decision<MapKeyEvent> => ({ events: [{ kind: "put", value, indexed: true }], reply: state.value });
  return {
    initial: absent,
    apply: (state, event) => {
      switch (event.kind) {
        case "put":
          return { value: event.value, indexed: event.indexed || state.indexed };
        case "deleted":
          return { value: undefined, indexed: state.indexed };
        case "destroyed":
          return absent;
      }
    },
    decide: (ctx, state, command) => {
      switch (command.op) {
        case "put": {
          const value = command.arg as EncodedValue;
          if (state.indexed) return put(state, value);
          // listed before the first value is written: a destroy that follows finds this key
          return ctx.system
            .ask(region(ctx), (replyTo) => new ShardEnvelope<Command>(KEY_INDEX, { op: "index", arg: entityId, replyTo }), { timeout: indexTimeout })
            .then(() => put(state, value));
        }
        case "get":
          return { events: [], reply: state.value };
        case "contains":
          return { events: [], reply: state.value !== undefined };
        case "delete":
          return state.value === undefined ? { events: [], reply: false } : { events: [{ kind: "deleted" }], reply: true };
        case "destroy":
          return { events: [{ kind: "destroyed" }], reply: true, erase: true };
        default:
          return unknownOperation(ctx, "map", command);
      }
    },
  };
}

export type KeyIndexEvent = { readonly kind: "indexed"; readonly key: string } | { readonly kind: "unindexed"; readonly keys: readonly string[] };

/** The keys of one map. `destroy` empties every key, then forgets them; keys indexed meanwhile stay. */
export const keyIndexStructure: Structure<Buckets<true>, KeyIndexEvent> = {
  initial: emptyBuckets(),
  apply: (keys, event) => (event.kind === "indexed" ? withEntry(keys, event.key, true) : event.keys.reduce(withoutKey, keys)),
  decide: (ctx, keys, command) => {
    switch (command.op) {
      case "index": {
        const key = command.arg as string;
        return hasKey(keys, key) ? { events: [], reply: true } : { events: [{ kind: "indexed", key }], reply: true };
      }
      case "destroy": {
        const listed = keysOf(keys);
        const timeout = command.arg as number;
        const destroyed = Promise.all(
          listed.map((key) => ctx.system.ask(region(ctx), (replyTo) => new ShardEnvelope<Command>(key, { op: "destroy", replyTo }), { timeout })),
        );
        // stays responsive meanwhile: keys being indexed must not wait for the keys being destroyed
        ctx.pipeToSelf(
          destroyed,
          () => ({ op: "destroyed", arg: listed, replyTo: command.replyTo }),
          (error) => ({ op: "failed", arg: error instanceof Error ? error.message : String(error), replyTo: command.replyTo }),
        );
        return LATER;
      }
      case "destroyed": {
        const listed = command.arg as string[];
        // keys indexed meanwhile stay listed, and so stay in the journal
        return { events: [{ kind: "unindexed", keys: listed }], reply: true, erase: listed.reduce(withoutKey, keys).size === 0 };
      }
      case "failed":
        ctx.log.warn(`destroying a map: ${String(command.arg)}`);
        return LATER; // the caller's ask times out: its effect may be partial
      default:
        return unknownOperation(ctx, "map", command);
    }
  },
};
