import { Registry } from "prom-client";
import type { ActorSystem } from "../../actor/system.js";
import { ClusterExtensionId } from "../../cluster/cluster.js";
import { GatewayId } from "../../gateway/gateway.js";
import { RemotingId } from "../../remote/remoting.js";
import { actorMetrics } from "./actor-metrics.js";
import { clusterMetrics } from "./cluster-metrics.js";
import { gatewayMetrics } from "./gateway-metrics.js";
import { persistenceMetrics } from "./persistence-metrics.js";
import { remoteMetrics } from "./remote-metrics.js";
import { replicationMetrics } from "./replication-metrics.js";
import { shardingMetrics } from "./sharding-metrics.js";

/** The Prometheus metrics of one node, in a registry of its own (several nodes may share a process). */
export interface NodeMetrics {
  readonly registry: Registry;
  /** Stops what listens for persist batches and replica acks. */
  close(): void;
}

/**
 * Builds the `casty_*` metrics of `system` from what its features are: every node has the actor
 * metrics; remoting, the cluster and the gateway add theirs when they are there.
 */
export function nodeMetrics(system: ActorSystem): NodeMetrics {
  const registry = new Registry();
  actorMetrics(registry, system);
  shardingMetrics(registry, system);
  const remoting = system.findExtension(RemotingId);
  if (remoting !== undefined) remoteMetrics(registry, remoting);
  const cluster = system.findExtension(ClusterExtensionId);
  if (cluster !== undefined) clusterMetrics(registry, cluster);
  const gateway = system.findExtension(GatewayId);
  if (gateway !== undefined) gatewayMetrics(registry, gateway);
  const stopPersistence = persistenceMetrics(registry);
  const stopReplication = replicationMetrics(registry, system);
  return {
    registry,
    close: () => {
      stopPersistence();
      stopReplication();
    },
  };
}
