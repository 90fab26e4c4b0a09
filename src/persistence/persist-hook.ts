// What may watch the persists of event-sourced entities besides their journal (replication): a hook
// attached to the entities' parent actor (a shard region), which every incarnation looks up once.

import type { ActorContext } from "../actor/api.js";
import type { ExtensionId } from "../actor/extension.js";
import type { ActorRef } from "../actor/ref.js";

/** One persist as the hook sees it: the events written as `fromSeqNr + 1`, `+ 2`, …. */
export interface WrittenEvents {
  /** The entity actor (a child of the hook's parent). */
  readonly entity: ActorRef<never>;
  /** Its persistence id (the journal's key). */
  readonly entityId: string;
  readonly fromSeqNr: number;
  readonly events: readonly unknown[];
  readonly tags: readonly (readonly string[])[] | undefined;
  readonly writerUid: string;
  readonly timestamp: number;
}

export interface PersistHook {
  /** Before the entity actor recovers from its journal: resolves once the journal is complete (it may fill it first). */
  recovering(entity: ActorRef<never>): Promise<void> | undefined;
  /**
   * After events were written: `then` runs once the promise resolves (undefined: at once). A rejection
   * means the persist is not a success: `ShardFencedError` stops the entity, any other error skips `then`.
   */
  written(events: WrittenEvents): Promise<void> | undefined;
}

/** Another primary holds the entity's shard now: this incarnation must not go on writing. */
export class ShardFencedError extends Error {
  override readonly name = "ShardFencedError";
}

/** The hooks of one system, by the path of the parent actor. */
export class PersistHooks {
  private readonly byParent = new Map<string, PersistHook>();

  /** Attaches `hook` to the children of `parent`; returns the detach function. */
  attach(parent: ActorRef<never>, hook: PersistHook): () => void {
    this.byParent.set(parent.path, hook);
    return () => this.byParent.get(parent.path) === hook && this.byParent.delete(parent.path);
  }

  of(ctx: ActorContext<never>): PersistHook | undefined {
    return ctx.parent === undefined || this.byParent.size === 0 ? undefined : this.byParent.get(ctx.parent.path);
  }
}

export const PersistHooksId: ExtensionId<PersistHooks> = { key: "casty.PersistHooks", create: () => new PersistHooks() };

/** The persist hook of an entity, if its parent has one. */
export function persistHookOf(ctx: ActorContext<never>): PersistHook | undefined {
  return ctx.system.findExtension(PersistHooksId)?.of(ctx);
}
