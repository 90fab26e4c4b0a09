import { InvalidOptionError, requirePositive } from "../actor/errors.js";
import { parseNodeKey } from "../remote/address.js";
import type { RemoteOptions } from "../remote/options.js";
import type { ResolvedDiscovery } from "./dns-seeds.js";
import { defaultDowningConfig, type DowningConfig, type DowningStrategy } from "./downing.js";
import { defaultGossipFanout } from "./gossip-exchange.js";
import { defaultMonitorCount } from "./heartbeat-targets.js";
import { defaultHeartbeatIntervalMs, defaultPhiConfig, type PhiConfig } from "./phi-detector.js";

export interface FailureDetectorOptions {
  /** Phi above which a node is unreachable (default 8). */
  threshold?: number;
  /** Silence tolerated on top of the usual heartbeat interval, in ms (default 1000). */
  acceptableHeartbeatPause?: number;
  /** Assumed heartbeat interval before one is measured, in ms (default: the heartbeat interval). */
  firstHeartbeatEstimate?: number;
  minStdDeviation?: number;
}

export interface DowningOptions {
  /** keep-majority (default), static-quorum or keep-oldest. */
  strategy?: DowningStrategy;
  /** Decide only after membership and reachability were stable this long, in ms (default 5000). */
  stableAfter?: number;
}

export interface DiscoveryOptions {
  /** A name whose A/AAAA records are the nodes (a Kubernetes headless service), or an SRV name starting with "_". */
  dns: string;
  /** Port of the nodes behind A/AAAA records (default: this node's advertised or bound port). */
  port?: number;
  /** Re-resolve every this many ms until joined (default 1000). */
  interval?: number;
  /** DNS servers to ask, "host:port" (default: the system's resolver). */
  servers?: readonly string[];
  /** Nodes the records must list before the lowest may form a cluster (default 1). */
  requiredContactPoints?: number;
  /** How long the records must stay the same before the lowest may form a cluster, in ms (default 3 intervals). */
  stableMargin?: number;
}

export interface ClusterOptions extends RemoteOptions {
  /** Cluster (system) name: nodes with another name are refused. */
  name: string;
  /** `"host:port"` of nodes to join through. Empty, or only this node: form a new cluster. */
  seedNodes?: readonly string[];
  /** Seeds from DNS instead of `seedNodes` (both at once are refused). */
  discovery?: DiscoveryOptions;
  roles?: readonly string[];
  /** Gossip round interval at steady state, in ms (default 1000); changes spread at once. */
  gossipInterval?: number;
  gossipFanout?: number;
  heartbeatInterval?: number;
  /** Nodes each node monitors with heartbeats (default 5). */
  monitoredBy?: number;
  failureDetector?: FailureDetectorOptions;
  downing?: DowningOptions;
  /** Retry interval of join attempts through the seeds, in ms (default 500). */
  joinRetryInterval?: number;
  /** How long `leave()`/`shutdown()` wait for this node's removal, in ms (default 10000). */
  leaveTimeout?: number;
  /** Shut the actor system down when this node is downed or removed (default true). */
  shutdownWhenRemoved?: boolean;
}

export interface ResolvedClusterOptions {
  readonly seedNodes: readonly string[];
  readonly discovery: ResolvedDiscovery | undefined;
  readonly roles: readonly string[];
  readonly gossipInterval: number;
  readonly gossipFanout: number;
  readonly heartbeatInterval: number;
  readonly monitoredBy: number;
  readonly phi: Partial<PhiConfig>;
  readonly downing: DowningConfig;
  readonly joinRetryInterval: number;
  readonly leaveTimeout: number;
  readonly shutdownWhenRemoved: boolean;
}

export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  const seedNodes = options.seedNodes ?? [];
  for (const seed of seedNodes) {
    try {
      if (typeof seed !== "string") throw new Error("not a string");
      parseNodeKey(seed);
    } catch (error) {
      throw new InvalidOptionError(
        `seed node must be "host:port" (port 1-65535, IPv6 as [::1]:25520), got ${JSON.stringify(seed)}: ${(error as Error).message}`,
      );
    }
  }
  const heartbeatInterval = requirePositive(options.heartbeatInterval ?? defaultHeartbeatIntervalMs, "heartbeatInterval");
  const fd = options.failureDetector ?? {};
  return {
    seedNodes,
    discovery: resolveDiscovery(options),
    roles: [...(options.roles ?? [])],
    gossipInterval: requirePositive(options.gossipInterval ?? 1000, "gossipInterval"),
    gossipFanout: requirePositive(options.gossipFanout ?? defaultGossipFanout, "gossipFanout", { integer: true }),
    heartbeatInterval,
    monitoredBy: requirePositive(options.monitoredBy ?? defaultMonitorCount, "monitoredBy", { integer: true }),
    phi: {
      threshold: requirePositive(fd.threshold ?? defaultPhiConfig.threshold, "failureDetector.threshold"),
      acceptableHeartbeatPauseMs: requirePositive(
        fd.acceptableHeartbeatPause ?? defaultPhiConfig.acceptableHeartbeatPauseMs,
        "failureDetector.acceptableHeartbeatPause",
      ),
      firstHeartbeatEstimateMs: requirePositive(fd.firstHeartbeatEstimate ?? heartbeatInterval, "failureDetector.firstHeartbeatEstimate"),
      minStdDeviationMs: requirePositive(fd.minStdDeviation ?? defaultPhiConfig.minStdDeviationMs, "failureDetector.minStdDeviation"),
    },
    downing: {
      ...defaultDowningConfig,
      strategy: options.downing?.strategy ?? defaultDowningConfig.strategy,
      stableAfterMs: requirePositive(options.downing?.stableAfter ?? defaultDowningConfig.stableAfterMs, "downing.stableAfter"),
    },
    joinRetryInterval: requirePositive(options.joinRetryInterval ?? 500, "joinRetryInterval"),
    leaveTimeout: requirePositive(options.leaveTimeout ?? 10_000, "leaveTimeout"),
    shutdownWhenRemoved: options.shutdownWhenRemoved ?? true,
  };
}

function resolveDiscovery(options: ClusterOptions): ResolvedDiscovery | undefined {
  const discovery = options.discovery;
  if (discovery === undefined) return undefined;
  if ((options.seedNodes ?? []).length > 0) throw new InvalidOptionError("give either seedNodes or discovery, not both");
  if (typeof discovery.dns !== "string" || discovery.dns.length === 0) throw new InvalidOptionError("discovery.dns must be a DNS name");
  const port = discovery.port ?? options.advertisePort ?? options.port ?? 25520;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidOptionError(`discovery.port must be 1..65535 (needed when the node binds port 0), got ${String(port)}`);
  }
  const interval = requirePositive(discovery.interval ?? 1000, "discovery.interval");
  return {
    dns: discovery.dns,
    port,
    interval,
    servers: discovery.servers,
    requiredContactPoints: requirePositive(discovery.requiredContactPoints ?? 1, "discovery.requiredContactPoints", { integer: true }),
    stableMargin: requirePositive(discovery.stableMargin ?? 3 * interval, "discovery.stableMargin"),
  };
}
