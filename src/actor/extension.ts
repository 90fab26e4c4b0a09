import type { ExtensionIdFor } from "./api.js";
import type { ActorSystem } from "./system.js";

/**
 * Identifies a feature attached to a system (remoting, cluster, sharding, …) and how to build it:
 * `{ key, create(system) }`, where `key` is unique (e.g. "casty.Remoting") and `create` runs once,
 * on the first `system.extension(id)`.
 */
export type ExtensionId<T> = ExtensionIdFor<T, ActorSystem>;
