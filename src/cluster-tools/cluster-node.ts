import { InvalidOptionError } from "../actor/errors.js";
import type { ActorSystem } from "../actor/system.js";
import { ClusteredActorSystem } from "../cluster/clustered-system.js";

/** The cluster node behind `system`: the cluster tools and distributed data need membership and remoting. */
export function clusterNode(system: ActorSystem, feature: string): ClusteredActorSystem {
  if (!(system instanceof ClusteredActorSystem)) throw new InvalidOptionError(`${feature} needs a cluster node (ClusteredActorSystem.start)`);
  return system;
}
