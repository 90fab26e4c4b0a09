import * as grpc from "@grpc/grpc-js";
import type { NodeAddress } from "../../gen/casty/v1/address.js";
import { PromiseRef } from "../actor/ask.js";
import { ShutdownPhase } from "../actor/coordinated-shutdown.js";
import type { ExtensionId } from "../actor/extension.js";
import type { Logger } from "../actor/logger.js";
import type { ActorRef } from "../actor/ref.js";
import type { Scheduler } from "../actor/scheduler.js";
import type { ActorSystem } from "../actor/system.js";
import { Serialization, type RefCodec } from "../serialization/index.js";
import { nodeKey, nodeUri, parseActorUri, splitActorUri } from "./address.js";
import type { Endpoint, EndpointHost, Peer } from "./endpoint.js";
import { DeliveryFlushes } from "./delivery-flushes.js";
import { EndpointManager } from "./endpoint-manager.js";
import { routeGrpcLogs } from "./grpc-log.js";
import { InboundAssociations, remotingServiceDefinition, type InboundServerHost } from "./inbound.js";
import type { RemoteOptions, ResolvedRemoteOptions } from "./options.js";
import { LocalRefs } from "./local-refs.js";
import { MissingActorRef, RemoteActorRef } from "./remote-ref.js";
import { TrafficByPeer } from "./peer-traffic.js";
import { installAskNotices } from "./ask-notices.js";
import { RemoteWatch } from "./remote-watch.js";
import type { ReturnLink } from "./return-link.js";
import { channelOptions, type BoundServer } from "./server.js";
import { channelCredentials } from "./tls.js";

const SLASH = 0x2f;

/** The remoting extension of a system; installed around a bound server by `Remoting.install`. */
export const RemotingId: ExtensionId<Remoting> = {
  key: "casty.Remoting",
  create(system) {
    throw new Error(`actor system ${system.name} has no remoting: start it with RemoteActorSystem.start(...) or ClusteredActorSystem.start(...)`);
  },
};

/**
 * What makes a system reachable from other nodes: refs get `casty://name@host:port/...` addresses,
 * and refs to other nodes (from messages or `refFor`) deliver over the remoting stream. Its transports
 * close in the coordinated shutdown's `close-transports` phase.
 */
export class Remoting implements RefCodec, EndpointHost, InboundServerHost {
  readonly serialization: Serialization;
  readonly options: ResolvedRemoteOptions;
  readonly selfNode: NodeAddress;
  /** Advertised host and port: what other nodes dial. */
  readonly host: string;
  readonly port: number;
  /** Incarnation id: a restarted node gets a new one. */
  readonly uid: bigint;
  /** The node's gRPC server; higher layers add their services to it. */
  readonly server: grpc.Server;
  /** Endpoints, clients and ref caches per peer. */
  readonly endpoints: EndpointManager;
  /** Death watch of actors on other nodes. */
  readonly deathWatch: RemoteWatch;
  /** Bytes and batches to and from each peer, for metrics. */
  readonly traffic = new TrafficByPeer();
  private readonly inbound: InboundAssociations;
  private readonly localRefs: LocalRefs;
  private readonly blockedPeers = new Set<string>();
  private readonly associationListeners = new Set<(peer: Peer, uid: bigint, restarted: boolean) => void>();
  private readonly releaseGrpcLogs: () => void;
  encodingForPeer = false;
  batchSender: Peer | undefined;
  readonly deliveryFlushes: DeliveryFlushes;
  /** The endpoint of the last sender a bare path came from: its batches come one after another. */
  private lastSender: { readonly peer: Peer; readonly endpoint: Endpoint } | undefined;

  /** Builds remoting for `system` around its bound server and registers it as the system's extension. */
  static install(system: ActorSystem, options: RemoteOptions, bound: BoundServer): Remoting {
    const remoting = new Remoting(system, options, bound);
    system.registerExtension(RemotingId, remoting);
    return remoting;
  }

  private constructor(
    readonly system: ActorSystem,
    options: RemoteOptions,
    bound: BoundServer,
  ) {
    this.options = bound.options;
    this.server = bound.server;
    this.host = options.advertiseHost ?? bound.options.host;
    this.port = options.advertisePort ?? bound.port;
    const random = () => system.scheduler.random();
    this.uid = BigInt(Math.floor(random() * 2 ** 52)) * 4096n + BigInt(Math.floor(random() * 4096)) + 1n;
    this.selfNode = { system: system.name, host: this.host, port: this.port, uid: this.uid };
    system.addressPrefix = nodeUri(system.name, nodeKey(this.host, this.port));
    this.serialization = new Serialization(this);
    this.deliveryFlushes = new DeliveryFlushes(system.log);
    this.localRefs = new LocalRefs((path) => system.lookup(path));
    const credentials = channelCredentials(bound.options.tls);
    this.endpoints = new EndpointManager(this, (peerKey) => new grpc.Client(peerKey, credentials, channelOptions(this.options)));
    this.inbound = new InboundAssociations(this);
    this.deathWatch = new RemoteWatch(system, this);
    installAskNotices(system, this);
    this.server.addService(remotingServiceDefinition, { connect: this.inbound.handler });
    this.releaseGrpcLogs = routeGrpcLogs(system.log);
    system.coordinatedShutdown.addTask(ShutdownPhase.closeTransports, "remoting", () => this.closeTransports());
  }

  get log(): Logger {
    return this.system.log;
  }

  get scheduler(): Scheduler {
    return this.system.scheduler;
  }

  /** `host:port` of this node. */
  get selfAddress(): string {
    return nodeKey(this.host, this.port);
  }

  /** A ref for an actor URI, local or on another node. */
  refFor<M>(address: string): ActorRef<M> {
    return this.resolve(address);
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
    if (ref instanceof PromiseRef) {
      ref.expose(); // in its own system, which may not be this one (tests)
      if (this.encodingForPeer && ref.isOf(this.system)) return ref.path; // see SenderRefs
    }
    return ref.address;
  }

  resolve(address: string): ActorRef<unknown> {
    if (address.charCodeAt(0) === SLASH && this.batchSender !== undefined) return this.senderRef(this.batchSender, address);
    const cached = this.endpoints.cachedRef(address);
    if (cached !== undefined) return cached;
    const { node, path } = splitActorUri(address);
    if (node === this.system.addressPrefix) return this.resolveLocal(path) ?? this.missingRef(path);
    let endpoint = this.endpoints.endpointAt(node);
    if (endpoint === undefined) {
      const { system, host, port } = parseActorUri(address);
      if (host === undefined || port === undefined)
        return system === this.system.name ? (this.resolveLocal(path) ?? this.missingRef(path)) : this.missingRef(path);
      endpoint = this.endpoints.endpoint({ system, host, port, key: nodeKey(host, port) });
    }
    const ref = new RemoteActorRef(address, path, endpoint, this.deathWatch);
    if (!path.startsWith("/temp/")) this.endpoints.cacheRef(address, ref);
    return ref;
  }

  /** A ref to the actor at `path` on `sender`, the peer whose batch is being delivered (see SenderRefs). */
  private senderRef(sender: Peer, path: string): ActorRef<unknown> {
    let last = this.lastSender;
    if (last?.peer !== sender) this.lastSender = last = { peer: sender, endpoint: this.endpoints.endpoint(sender) };
    const endpoint = last.endpoint;
    return new RemoteActorRef(endpoint.node + path, path, endpoint, this.deathWatch);
  }

  // ---- InboundHost / EndpointHost ----

  resolveLocal(path: string): ActorRef<unknown> | undefined {
    return this.localRefs.get(path);
  }

  missingRef(path: string): ActorRef<never> {
    return new MissingActorRef(this.system.addressPrefix + path, path, (message, ref) => this.deadLetter(message, ref, `no actor at ${path}`));
  }

  deadLetter(message: unknown, recipient: ActorRef<never> | undefined, reason: string): void {
    this.system.deadLetter(message, recipient, reason);
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

  returnLinkOpened(link: ReturnLink): void {
    this.endpoints.linkOpened(link);
  }

  returnLinkClosed(link: ReturnLink): void {
    this.endpoints.linkClosed(link);
  }

  unreachable(peer: Peer): void {
    this.deathWatch.nodeUnreachable(nodeUri(peer.system, peer.key));
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
    this.releaseGrpcLogs();
  }
}
