import type { Registry } from "prom-client";
import type { Cluster } from "../../cluster/cluster.js";
import type { MemberStatus } from "../../cluster/member.js";
import { collectedCounter, collectedGauge } from "./collected.js";

const statuses: readonly MemberStatus[] = ["joining", "up", "leaving", "exiting", "down", "removed"];

/** Members by status, unreachable members, gossip rounds and the bytes of gossip and heartbeats, as this node sees them. */
export function clusterMetrics(registry: Registry, cluster: Cluster): void {
  collectedGauge(registry, {
    name: "casty_cluster_members",
    help: "Members of the cluster by status, as this node sees them",
    labelNames: ["status"],
    read: () => {
      const members = cluster.state.members;
      return statuses.map((status) => [{ status }, members.filter((m) => m.status === status).length] as const);
    },
  });
  collectedGauge(registry, {
    name: "casty_cluster_unreachable_members",
    help: "Members that some member finds unreachable",
    read: () => [[{}, cluster.state.unreachable.length]],
  });
  collectedGauge(registry, {
    name: "casty_cluster_leader",
    help: "1 when this node is the cluster's leader",
    read: () => [[{}, cluster.leader === cluster.selfAddress ? 1 : 0]],
  });
  collectedCounter(registry, {
    name: "casty_cluster_gossip_rounds_total",
    help: "Periodic gossip rounds this node ran as a member",
    read: () => [[{}, cluster.daemon.gossipRounds]],
  });
  collectedCounter(registry, {
    name: "casty_cluster_sent_bytes_total",
    help: "Bytes this node sent for membership, by kind (gossip, heartbeat)",
    labelNames: ["kind"],
    read: () => [
      [{ kind: "gossip" }, cluster.traffic.gossipBytes],
      [{ kind: "heartbeat" }, cluster.traffic.heartbeatBytes],
    ],
  });
}
