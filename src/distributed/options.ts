import { requirePositive } from "../actor/errors.js";
import type { EventJournal } from "../persistence/journal.js";
import type { ReplicationOptions } from "../sharding/options.js";

export interface DistributedOptions {
  /** Every mutation becomes an event in this journal: structures survive restarts (default: in memory). */
  readonly journal?: EventJournal;
  /**
   * With a journal of this node's own: the persistent structures' shards keep replicas on other
   * nodes (see sharding replication), so they survive the loss of a node and its journal.
   */
  readonly replication?: ReplicationOptions;
}

export interface StructureOptions {
  /** Shards of the structure's entity type (default 100); the same name and shards reach the same structure. */
  readonly shards?: number;
  /** Milliseconds a call waits for its answer (default 5000). */
  readonly timeout?: number;
}

export interface ResolvedStructureOptions {
  readonly shards: number;
  readonly timeout: number;
}

export function resolveStructureOptions(options: StructureOptions = {}): ResolvedStructureOptions {
  return {
    shards: requirePositive(options.shards ?? 100, "shards", { integer: true }),
    timeout: requirePositive(options.timeout ?? 5000, "timeout"),
  };
}
