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
  /** Copies of each shard's events on other nodes, for event-sourced entities with node-local journals. */
  replication?: ReplicationOptions;
}

export interface ReplicationOptions {
  /** Nodes besides the primary that hold each shard's events. */
  replicas: number;
  /** Replicas that must have stored a persist before `then` runs (default 1; 0 pushes without waiting). */
  minAcks?: number;
  /** How long a persist waits for its acks, in ms (default 5000); then the command is not a success. */
  ackTimeout?: number;
}

export interface ResolvedReplicationOptions {
  readonly replicas: number;
  readonly minAcks: number;
  readonly ackTimeout: number;
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
  readonly replication: ResolvedReplicationOptions | undefined;
}

export function resolveShardingOptions(options: ShardingOptions = {}): ResolvedShardingOptions {
  return {
    numShards: requirePositive(options.numShards ?? 100, "numShards", { integer: true }),
    role: options.role,
    passivateAfter: options.passivateAfter === undefined ? undefined : requirePositive(options.passivateAfter, "passivateAfter"),
    bufferSize: requirePositive(options.bufferSize ?? 100_000, "bufferSize", { integer: true }),
    rebalanceInterval: requirePositive(options.rebalanceInterval ?? 500, "rebalanceInterval"),
    maxSimultaneousRebalance: requirePositive(options.maxSimultaneousRebalance ?? 5, "maxSimultaneousRebalance", { integer: true }),
    handOffTimeout: requirePositive(options.handOffTimeout ?? 10_000, "handOffTimeout"),
    rebuildWindow: 1000,
    replication: options.replication === undefined ? undefined : resolveReplication(options.replication),
  };
}

function resolveReplication(options: ReplicationOptions): ResolvedReplicationOptions {
  const replicas = requirePositive(options.replicas, "replication.replicas", { integer: true });
  const minAcks = options.minAcks ?? 1;
  if (!Number.isInteger(minAcks) || minAcks < 0 || minAcks > replicas)
    throw new InvalidOptionError(`replication.minAcks must be an integer from 0 to replicas (${replicas}), got ${minAcks}`);
  return { replicas, minAcks, ackTimeout: requirePositive(options.ackTimeout ?? 5000, "replication.ackTimeout") };
}
