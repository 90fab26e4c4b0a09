import { InvalidOptionError, requirePositive } from "../actor/errors.js";

export interface ShardingOptions {
  /** Number of shards (default 100); the same on every node. */
  numShards?: number;
  /** Only nodes with this role host shards; others route (proxy). */
  role?: string;
  /** Stop entities idle for this long, in ms (default: never). */
  passivateAfter?: number;
  /** Messages buffered while shard homes are unknown or shards move (default 100,000); more are dead letters. */
  bufferSize?: number;
  /** How often the coordinator evens out shard counts, in ms (default 500). */
  rebalanceInterval?: number;
  /** Shards moving at once during a rebalance (default 5). */
  maxSimultaneousRebalance?: number;
  /** How long a leaving node waits for its shards to move, in ms (default 10000). */
  handOffTimeout?: number;
  /** Replication of entity state to other nodes: not available in this version. */
  replication?: { replicas: number; minAcks?: number; ackTimeout?: number };
}

export interface ResolvedShardingOptions {
  readonly numShards: number;
  readonly role: string | undefined;
  readonly passivateAfter: number | undefined;
  readonly bufferSize: number;
  readonly rebalanceInterval: number;
  readonly maxSimultaneousRebalance: number;
  readonly handOffTimeout: number;
  readonly rebuildWindow: number;
}

export function resolveShardingOptions(options: ShardingOptions = {}): ResolvedShardingOptions {
  if (options.replication !== undefined) throw new InvalidOptionError("sharding replication is not available in this version of casty");
  return {
    numShards: requirePositive(options.numShards ?? 100, "numShards", { integer: true }),
    role: options.role,
    passivateAfter: options.passivateAfter === undefined ? undefined : requirePositive(options.passivateAfter, "passivateAfter"),
    bufferSize: requirePositive(options.bufferSize ?? 100_000, "bufferSize", { integer: true }),
    rebalanceInterval: requirePositive(options.rebalanceInterval ?? 500, "rebalanceInterval"),
    maxSimultaneousRebalance: requirePositive(options.maxSimultaneousRebalance ?? 5, "maxSimultaneousRebalance", { integer: true }),
    handOffTimeout: requirePositive(options.handOffTimeout ?? 10_000, "handOffTimeout"),
    rebuildWindow: 1000,
  };
}
