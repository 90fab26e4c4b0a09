import type { Behavior } from "../actor/behavior.js";
import type { ShardEnvelope } from "./envelope.js";
import { resolveShardingOptions, type ShardingOptions } from "./options.js";
import { shardRegion } from "./region.js";

/**
 * Sharded entities: spawn the result under the same name on every node, then send
 * `new ShardEnvelope(entityId, message)` to it; `entityFactory(entityId)` starts an entity where its
 * shard lives. On a plain `ActorSystem` every shard is local.
 */
export function sharded<M>(entityFactory: (entityId: string) => Behavior<M>, options?: ShardingOptions): Behavior<ShardEnvelope<M>> {
  return shardRegion(entityFactory, resolveShardingOptions(options));
}
