import type { ActorContext } from "../actor/api.js";
import type { CommandEffect } from "./effect.js";
import type { EventJournal } from "./journal.js";
import type { SnapshotPolicy } from "./snapshot-policy.js";

export interface EventSourcedOptions<C, E, S> {
  /** The entity's key in the journal (its persistence id); under sharding, the entity id. */
  readonly entityId: string;
  readonly journal: EventJournal;
  /** The state before the first event. */
  readonly initialState: S;
  /** Applies one event: pure, used both after a persist and on recovery. */
  readonly onEvent: (state: S, event: E) => S;
  /** Handles one command given the current state; answers `Behaviors.persisted(…)` or same/stopped/unhandled. */
  readonly onCommand: (ctx: ActorContext<C>, state: S, command: C) => CommandEffect<C, E, S> | Promise<CommandEffect<C, E, S>>;
  /** When to save snapshots (default: never). */
  readonly snapshotPolicy?: SnapshotPolicy;
  /** The tags stored with each event, which the read side queries by (`journal.eventsByTag`); default none. */
  readonly tagger?: (event: E) => readonly string[];
}
