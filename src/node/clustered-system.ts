import type { Behavior } from "../actor/api.js";
import type { ActorRef } from "../actor/ref.js";
import { ClusteredActorSystem as ClusterFacade } from "../cluster/clustered-system.js";
import { resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from "../cluster/options.js";
import { Receptionist } from "../cluster-tools/receptionist.js";
import { Singletons, type SingletonOptions } from "../cluster-tools/singleton.js";
import { Topics, type Topic } from "../cluster-tools/topic.js";
import { DistributedData } from "../distributed/distributed-data.js";
import { Distributed } from "../distributed/distributed.js";
import type { DistributedOptions } from "../distributed/options.js";
import { Gateway } from "../gateway/gateway.js";
import type { GatewayOptions } from "../gateway/options.js";
import { projection, type Projection } from "../projection/projection.js";
import type { ProjectionOptions } from "../projection/projection-options.js";
import { startBound, type BoundServer } from "../remote/server.js";
import { Replication } from "../replication/replication.js";

/** A node's options: the cluster's, and how it serves `casty.v1.GatewayService` on its port. */
export interface NodeOptions extends ClusterOptions {
  /** Options of the gateway every node serves (default: the defaults); `false` serves none. */
  gateway?: GatewayOptions | false;
}

/**
 * The cluster node of the public API: the cluster facade plus the features above it as members
 * (`distributed`, `singleton`, `receptionist`, `topic`, `projection`), each a shortcut to its extension.
 * Every node hosts distributed data, a receptionist and shard replication from its start, so that
 * peers reach them on any node, and serves the gateway for clients outside the cluster.
 */
export class ClusteredActorSystem extends ClusterFacade {
  static override async start(options: NodeOptions): Promise<ClusteredActorSystem> {
    const clusterOptions = resolveClusterOptions(options);
    return startBound(options, (bound) => new ClusteredActorSystem(options, clusterOptions, bound));
  }

  protected constructor(options: NodeOptions, clusterOptions: ResolvedClusterOptions, bound: BoundServer) {
    super(options, clusterOptions, bound);
    DistributedData.of(this);
    Receptionist.of(this);
    Replication.install(this);
    if (options.gateway !== false) Gateway.serve(this, options.gateway);
  }

  /** The distributed data structures; with `{ journal }` every mutation is an event in it. */
  distributed(options?: DistributedOptions): Distributed {
    return new Distributed(this, options);
  }

  /** A ref to the one instance of `behavior` in the cluster (start it under the same name on every node). */
  singleton<M>(behavior: Behavior<M>, name: string, options?: SingletonOptions): ActorRef<M> {
    return Singletons.of(this).start(behavior, name, options);
  }

  /** Runs a projection of the read side once in the cluster (start it under the same name on every node). */
  projection<Tx>(options: ProjectionOptions<Tx>): Projection {
    return projection(this, options);
  }

  get receptionist(): Receptionist {
    return Receptionist.of(this);
  }

  /** The distributed publish-subscribe topic `name`. */
  topic<M>(name: string): Topic<M> {
    return Topics.of(this).topic<M>(name);
  }
}
