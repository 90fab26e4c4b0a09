import type { ActorRef } from "../actor/ref.js";
import type { ActorSystem } from "../actor/system.js";
import { ClusterExtensionId, type Cluster } from "../cluster/cluster.js";
import { RemotingId, type Remoting } from "../remote/remoting.js";

/** What the cluster tools and distributed data use of a node: the system, its remoting and its cluster. */
export interface ClusterNode {
  readonly system: ActorSystem;
  readonly remoting: Remoting;
  readonly cluster: Cluster;
  /** The ref of the actor at `path` on the node `address` ("host:port"), this one included. */
  refAt<M>(address: string, path: string): ActorRef<M>;
}

/** The cluster node behind `system`, through its Remoting and Cluster extensions (throws when it has none). */
export function nodeOf(system: ActorSystem): ClusterNode {
  const remoting = system.extension(RemotingId);
  const cluster = system.extension(ClusterExtensionId);
  return {
    system,
    remoting,
    cluster,
    refAt: <M>(address: string, path: string) => remoting.refFor<M>(`casty://${system.name}@${address}${path}`),
  };
}
