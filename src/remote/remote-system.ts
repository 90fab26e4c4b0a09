import * as grpc from "@grpc/grpc-js";
import type { NodeAddress } from "../../gen/casty/v1/address.js";
import { PromiseRef } from "../actor/ask.js";
import type { ActorRef } from "../actor/ref.js";
import { ShutdownPhase } from "../actor/coordinated-shutdown.js";
import { ActorSystem } from "../actor/system.js";
import { nodeKey, nodeUri, parseActorUri, splitActorUri } from "./address.js";
import type { Endpoint, EndpointHost, Peer } from "./endpoint.js";
import { EndpointManager } from "./endpoint-manager.js";
import { InboundAssociations, remotingServiceDefinition, type InboundServerHost } from "./inbound.js";
import { resolveRemoteOptions, type RemoteOptions, type ResolvedRemoteOptions } from "./options.js";
import { BATCH_MAX_BYTES } from "./protocol.js";
import { MissingActorRef, RemoteActorRef } from "./remote-ref.js";
import { RemoteWatch } from "./remote-watch.js";
import { Serialization, type RefCodec } from "../serialization/index.js";
import { channelCredentials, serverCredentials } from "./tls.js";

/** A node's gRPC server before the system around it exists. */
export interface BoundServer {
  readonly server: grpc.Server;
  readonly port: number;
  readonly options: ResolvedRemoteOptions;
}

/** Binds the node's one gRPC server (every casty service of the node is added to it). */
export async function bindServer(options: RemoteOptions): Promise<BoundServer> {
  const resolved = resolveRemoteOptions(options);
  const server = new grpc.Server(channelOptions(resolved));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${resolved.host.includes(":") ? `[${resolved.host}]` : resolved.host}:${resolved.port}`, serverCredentials(resolved.tls), (error, bound) =>
      error ? reject(new Error(`cannot bind ${resolved.host}:${resolved.port}: ${error.message}`)) : resolve(bound),
    ),
  );
  return { server, port, options: resolved };
}

function channelOptions(options: ResolvedRemoteOptions): grpc.ChannelOptions {
  const frameLimit = Math.max(options.maxMessageSize, BATCH_MAX_BYTES) + 1024 * 1024;
  return {
    "grpc.max_receive_message_length": frameLimit,
    "grpc.max_send_message_length": frameLimit,
    "grpc.keepalive_time_ms": 10_000,
    "grpc.keepalive_timeout_ms": 5_000,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 5_000,
    // The endpoint runs its own backoff; the channel's (1 s growing to 120 s) would delay reconnects past it.
    "grpc.initial_reconnect_backoff_ms": options.minBackoff,
    "grpc.max_reconnect_backoff_ms": options.maxBackoff,
  };
}

/**
 * An actor system reachable from other nodes: refs get `casty://name@host:port/...` addresses, and
 * refs to other nodes (from messages or `refFor`) deliver over the remoting stream. Clustering builds on it.
 */
export class RemoteActorSystem extends ActorSystem implements RefCodec, EndpointHost, InboundServerHost {
  readonly serialization: Serialization;
  readonly options: ResolvedRemoteOptions;
  readonly selfNode: NodeAddress;
  /** Advertised host and port: what other nodes dial. */
  readonly host: string;
  readonly port: number;
  /** Incarnation id: a restarted node gets a new one. */
  readonly uid: bigint;
  /** @internal The node's gRPC server; higher layers add their services to it. */
  readonly server: grpc.Server;
  /** @internal Endpoints, clients and ref caches per peer. */
  readonly endpoints: EndpointManager;
  private readonly inbound: InboundAssociations;
  /** @internal Death watch of actors on other nodes. */
  readonly deathWatch: RemoteWatch;
  private readonly blockedPeers = new Set<string>();
  private readonly associationListeners = new Set<(peer: Peer, uid: bigint, restarted: boolean) => void>();

  static async start(options: RemoteOptions = {}): Promise<RemoteActorSystem> {
    const bound = await bindServer(options);
    try {
      return new RemoteActorSystem(options, bound);
    } catch (error) {
      bound.server.forceShutdown(); // e.g. an invalid system name: do not leave the port bound
      throw error;
    }
  }

  protected constructor(options: RemoteOptions, bound: BoundServer) {
    super(options);
    this.options = bound.options;
    this.server = bound.server;
    this.host = options.advertiseHost ?? bound.options.host;
    this.port = options.advertisePort ?? bound.port;
    this.uid = BigInt(Math.floor(this.scheduler.random() * 2 ** 52)) * 4096n + BigInt(Math.floor(this.scheduler.random() * 4096)) + 1n;
    this.selfNode = { system: this.name, host: this.host, port: this.port, uid: this.uid };
    this.addressPrefix = nodeUri(this.name, nodeKey(this.host, this.port));
    this.serialization = new Serialization(this);
    const credentials = channelCredentials(bound.options.tls);
    this.endpoints = new EndpointManager(this, (peerKey) => new grpc.Client(peerKey, credentials, channelOptions(this.options)));
    this.inbound = new InboundAssociations(this);
    this.deathWatch = new RemoteWatch(this);
    this.server.addService(remotingServiceDefinition, { connect: this.inbound.handler });
    this.coordinatedShutdown.addTask(ShutdownPhase.closeTransports, "remoting", () => this.closeTransports());
  }

  /** `host:port` of this node. */
  get selfAddress(): string {
    return nodeKey(this.host, this.port);
  }

  /** A ref for an actor URI, local or on another node. */
  refFor<M>(address: string): ActorRef<M> {
    return this.resolve(address) as ActorRef<M>;
  }

  /** Runs `listener` whenever an outbound association completes its handshake. */
  onAssociated(listener: (peer: Peer, uid: bigint, restarted: boolean) => void): () => void {
    this.associationListeners.add(listener);
    return () => this.associationListeners.delete(listener);
  }

  /**
   * Fault injection for tests: drops all traffic to and from the node at `peerKey` ("host:port"),
   * as a network partition would. Outgoing messages become dead letters.
   */
  blockPeer(peerKey: string): void {
    this.blockedPeers.add(peerKey);
  }

  unblockPeer(peerKey: string): void {
    this.blockedPeers.delete(peerKey);
  }

  isBlocked(peerKey: string): boolean {
    return this.blockedPeers.size > 0 && this.blockedPeers.has(peerKey);
  }

  // ---- RefCodec ----

  addressOf(ref: ActorRef<unknown>): string {
    if (ref instanceof PromiseRef) ref.expose(); // in its own system, which may not be this one (tests)
    return ref.address;
  }

  resolve(address: string): ActorRef<unknown> {
    const cached = this.endpoints.cachedRef(address);
    if (cached !== undefined) return cached;
    const { node, path } = splitActorUri(address);
    if (node === this.addressPrefix) return this.resolveLocal(path) ?? this.missingRef(path);
    let endpoint = this.endpoints.endpointAt(node);
    if (endpoint === undefined) {
      const { system, host, port } = parseActorUri(address);
      if (host === undefined || port === undefined) return system === this.name ? (this.resolveLocal(path) ?? this.missingRef(path)) : this.missingRef(path);
      endpoint = this.endpoints.endpoint({ system, host, port, key: nodeKey(host, port) });
    }
    const ref = new RemoteActorRef(address, path, endpoint, this.deathWatch);
    if (!path.startsWith("/temp/")) this.endpoints.cacheRef(address, ref);
    return ref;
  }

  // ---- InboundHost / EndpointHost ----

  resolveLocal(path: string): ActorRef<unknown> | undefined {
    return this.lookup(path);
  }

  missingRef(path: string): ActorRef<never> {
    return new MissingActorRef(this.addressPrefix + path, path, (message, ref) => this.deadLetter(message, ref, `no actor at ${path}`));
  }

  client(peerKey: string): grpc.Client {
    return this.endpoints.client(peerKey);
  }

  endpointFor(peer: Peer): Endpoint {
    return this.endpoints.endpoint(peer);
  }

  associated(peer: Peer, uid: bigint, restarted: boolean): void {
    // a new incarnation means every actor of the old one is gone
    if (restarted) this.deathWatch.nodeGone(nodeUri(peer.system, peer.key));
    for (const listener of this.associationListeners) listener(peer, uid, restarted);
  }

  private async closeTransports(): Promise<void> {
    this.deathWatch.stop();
    await this.endpoints.closeEndpoints();
    this.inbound.closeAll();
    await new Promise<void>((resolve) => {
      // peers keep long-lived streams open: give in-flight calls a moment, then cut them
      const force = this.scheduler.setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 100);
      this.server.tryShutdown(() => {
        this.scheduler.clearTimeout(force);
        resolve();
      });
    });
    this.endpoints.closeClients();
  }
}
