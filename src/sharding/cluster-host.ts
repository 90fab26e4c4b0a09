// The one place where sharding reaches the cluster of the system it runs in.

import type { ActorContext } from "../actor/api.js";
import type { ActorRef } from "../actor/ref.js";
import { ClusteredActorSystem } from "../cluster/clustered-system.js";
import { ClusterEvent } from "../cluster/events.js";
import { RoutedEnvelope, ShardEnvelope } from "./envelope.js";
import { registerCoordination } from "./protocol.js";
import type { RegionHost } from "./region-host.js";

/** The host of a region on a cluster node, undefined on a plain ActorSystem. */
export function clusterHost(ctx: ActorContext<never>): RegionHost | undefined {
  const system = ctx.system;
  if (!(system instanceof ClusteredActorSystem)) return undefined;
  registerCoordination(system.serialization);
  system.serialization.registerClass(ShardEnvelope, "casty.ShardEnvelope");
  system.serialization.registerClass(RoutedEnvelope, "casty.RoutedEnvelope");
  const self = ctx.self as ActorRef<unknown>;
  const prefix = `casty://${system.name}@`;
  return {
    selfNode: { address: system.selfAddress, uid: system.selfNode.uid },
    regionOn: (node) => (node === system.selfAddress ? self : system.refFor(`${prefix}${node}${self.path}`)),
    upMembers: () => new Set(system.cluster.state.members.filter((m) => m.status === "up").map((m) => m.address)),
    hasRole: (role) => system.cluster.selfMember?.roles.includes(role) ?? false,
    subscribe: (listener) => system.cluster.subscribe(ClusterEvent, listener),
    beforeLeave: (handOff) => system.addLeaveTask(handOff),
  };
}
