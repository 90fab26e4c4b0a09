// The one place where sharding reaches the cluster of the system it runs in: through its extensions.

import type { ActorContext } from "../actor/api.js";
import type { ActorRef } from "../actor/ref.js";
import { ClusterExtensionId } from "../cluster/cluster.js";
import { ClusterEvent } from "../cluster/events.js";
import { nodeUri } from "../remote/address.js";
import { RemotingId } from "../remote/remoting.js";
import { RoutedEnvelope, shardEnvelopeCodec, ShardEnvelope } from "./envelope.js";
import { registerCoordination } from "./protocol.js";
import type { RegionHost } from "./region-host.js";

/** The host of a region on a cluster node, undefined on a system without the cluster extension. */
export function clusterHost(ctx: ActorContext<never>): RegionHost | undefined {
  const system = ctx.system;
  const cluster = system.findExtension(ClusterExtensionId);
  const remoting = system.findExtension(RemotingId);
  if (cluster === undefined || remoting === undefined) return undefined;
  registerCoordination(remoting.serialization);
  remoting.serialization.registerClass(ShardEnvelope, "casty.ShardEnvelope");
  remoting.serialization.registerClass(RoutedEnvelope, "casty.RoutedEnvelope");
  remoting.serialization.registerKeyed([ShardEnvelope, RoutedEnvelope], shardEnvelopeCodec);
  const self = ctx.self as ActorRef<unknown>;
  return {
    selfNode: { address: remoting.selfAddress, uid: remoting.selfNode.uid },
    regionOn: (node) => (node === remoting.selfAddress ? self : remoting.refFor(nodeUri(system.name, node) + self.path)),
    upMembers: () => new Set(cluster.state.members.filter((m) => m.status === "up").map((m) => m.address)),
    unreachableMembers: () => new Set(cluster.state.unreachable),
    hasRole: (role) => cluster.selfMember?.roles.includes(role) ?? false,
    subscribe: (listener) => cluster.subscribe(ClusterEvent, listener),
    // a task of the coordinated shutdown's cluster-sharding-shutdown-region phase (also run by a leave without shutdown)
    beforeLeave: (handOff) => cluster.addLeaveTask(handOff),
  };
}
