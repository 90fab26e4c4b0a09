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
import { resolveHttpOptions, type HttpOptions } from "../ops/http/http-options.js";
import { OpsHttp, OpsHttpId } from "../ops/http/ops-http.js";
import { ClusterViewsId } from "../ops/page/cluster-views.js";
import { projection, type Projection } from "../projection/projection.js";
import type { ProjectionOptions } from "../projection/projection-options.js";
import { startBound, type BoundServer } from "../remote/server.js";
import { GrpcServices, GrpcServicesId } from "../services/grpc-services.js";
import type { ServicesOptions } from "../services/options.js";
import { Replication } from "../replication/replication.js";

/** A node's options: the cluster's, how it serves `casty.v1.GatewayService` on its port, and its HTTP port for operators. */
export interface NodeOptions extends ClusterOptions {
  /** Options of the gateway every node serves (default: the defaults); `false` serves none. */
  gateway?: GatewayOptions | false;
  /** Options of the node's own gRPC services (`system.grpc`). */
  services?: ServicesOptions;
  /** Serve `GET /metrics` (Prometheus) and `GET /` (the live cluster page) on this HTTP port (default: none). */
  http?: HttpOptions;
}

/**
 * The cluster node of the public API: the cluster facade plus the features above it as members
 * (`distributed`, `singleton`, `receptionist`, `topic`, `projection`), each a shortcut to its extension.
 * Every node hosts distributed data, a receptionist and shard replication from its start, so that
 * peers reach them on any node, serves the gateway for clients outside the cluster, and your own gRPC
 * services (`grpc`).
 */
export class ClusteredActorSystem extends ClusterFacade {
  static override async start(options: NodeOptions): Promise<ClusteredActorSystem> {
    const clusterOptions = resolveClusterOptions(options);
    const http = options.http === undefined ? undefined : resolveHttpOptions(options.http, options.host);
    const system = await startBound(options, (bound) => new ClusteredActorSystem(options, clusterOptions, bound));
    if (http === undefined) return system;
    try {
      await OpsHttp.serve(system, http);
    } catch (error) {
      await system.shutdown();
      throw error;
    }
    return system;
  }

  protected constructor(options: NodeOptions, clusterOptions: ResolvedClusterOptions, bound: BoundServer) {
    super(options, clusterOptions, bound);
    DistributedData.of(this);
    Receptionist.of(this);
    this.extension(ClusterViewsId);
    Replication.install(this);
    if (options.gateway !== false) Gateway.serve(this, options.gateway);
    GrpcServices.install(this, options.services);
  }

  /** Your own gRPC services on this node's port: `system.grpc.addService(definition, implementation)`. */
  get grpc(): GrpcServices {
    return this.extension(GrpcServicesId);
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

  /** `http://host:port` of the node's HTTP port for operators (`http` option), if it serves one. */
  get httpUrl(): string | undefined {
    return this.findExtension(OpsHttpId)?.url;
  }

  get receptionist(): Receptionist {
    return Receptionist.of(this);
  }

  /** The distributed publish-subscribe topic `name`. */
  topic<M>(name: string): Topic<M> {
    return Topics.of(this).topic<M>(name);
  }
}
