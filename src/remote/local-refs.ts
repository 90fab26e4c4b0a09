import type { ActorRef } from "../actor/ref.js";
import { LocalActorRef } from "../actor/local-ref.js";

/** Paths kept; beyond this many the cache starts over. */
const LOCAL_REF_CACHE_LIMIT = 10_000;

/**
 * The live local actor at a path, as `lookup` finds it, remembered while it lives: inbound batches
 * name their recipients by path, and walking the actor tree per batch costs more than the delivery.
 */
export class LocalRefs {
  private readonly byPath = new Map<string, LocalActorRef<unknown>>();

  constructor(private readonly lookup: (path: string) => ActorRef<unknown> | undefined) {}

  get(path: string): ActorRef<unknown> | undefined {
    if (path.startsWith("/temp/")) return this.lookup(path); // an ask: not an actor, and its path is used once
    const cached = this.byPath.get(path);
    if (cached !== undefined && !cached.cell.isTerminated) return cached;
    const ref = this.lookup(path);
    if (ref instanceof LocalActorRef) {
      if (this.byPath.size >= LOCAL_REF_CACHE_LIMIT) this.byPath.clear();
      this.byPath.set(path, ref);
    } else if (cached !== undefined) this.byPath.delete(path);
    return ref;
  }
}
