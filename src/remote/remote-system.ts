import type * as grpc from "@grpc/grpc-js";
import type { NodeAddress } from "../../gen/casty/v1/address.js";
import type { ActorRef } from "../actor/ref.js";
import { ActorSystem } from "../actor/system.js";
import type { Serialization } from "../serialization/index.js";
import type { Peer } from "./endpoint.js";
import type { EndpointManager } from "./endpoint-manager.js";
import type { RemoteOptions, ResolvedRemoteOptions } from "./options.js";
import type { RemoteWatch } from "./remote-watch.js";
import { Remoting } from "./remoting.js";
import { startBound, type BoundServer } from "./server.js";

/**
 * An actor system reachable from other nodes: an `ActorSystem` with the `Remoting` extension
 * installed (`system.extension(RemotingId)`); the members below are shortcuts to it.
 */
export class RemoteActorSystem extends ActorSystem {
  readonly remoting: Remoting;

  static async start(options: RemoteOptions = {}): Promise<RemoteActorSystem> {
    return startBound(options, (bound) => new RemoteActorSystem(options, bound));
  }

  protected constructor(options: RemoteOptions, bound: BoundServer) {
    super(options);
    this.remoting = Remoting.install(this, options, bound);
  }

  get serialization(): Serialization {
    return this.remoting.serialization;
  }

  get options(): ResolvedRemoteOptions {
    return this.remoting.options;
  }

  get selfNode(): NodeAddress {
    return this.remoting.selfNode;
  }

  /** Advertised host and port: what other nodes dial. */
  get host(): string {
    return this.remoting.host;
  }

  get port(): number {
    return this.remoting.port;
  }

  /** Incarnation id: a restarted node gets a new one. */
  get uid(): bigint {
    return this.remoting.uid;
  }

  /** `host:port` of this node. */
  get selfAddress(): string {
    return this.remoting.selfAddress;
  }

  /** @internal The node's gRPC server; higher layers add their services to it. */
  get server(): grpc.Server {
    return this.remoting.server;
  }

  /** @internal */
  get endpoints(): EndpointManager {
    return this.remoting.endpoints;
  }

  /** @internal Death watch of actors on other nodes. */
  get deathWatch(): RemoteWatch {
    return this.remoting.deathWatch;
  }

  /** A ref for an actor URI, local or on another node. */
  refFor<M>(address: string): ActorRef<M> {
    return this.remoting.refFor(address);
  }

  /** Runs `listener` whenever an outbound association completes its handshake. */
  onAssociated(listener: (peer: Peer, uid: bigint, restarted: boolean) => void): () => void {
    return this.remoting.onAssociated(listener);
  }

  /**
   * Fault injection for tests: drops all traffic to and from the node at `peerKey` ("host:port"),
   * as a network partition would. Outgoing messages become dead letters.
   */
  blockPeer(peerKey: string): void {
    this.remoting.blockPeer(peerKey);
  }

  unblockPeer(peerKey: string): void {
    this.remoting.unblockPeer(peerKey);
  }

  isBlocked(peerKey: string): boolean {
    return this.remoting.isBlocked(peerKey);
  }

  /** @internal */
  client(peerKey: string): grpc.Client {
    return this.remoting.client(peerKey);
  }

  /** The URI others reach `ref` at. */
  addressOf(ref: ActorRef<unknown>): string {
    return this.remoting.addressOf(ref);
  }

  resolve(address: string): ActorRef<unknown> {
    return this.remoting.resolve(address);
  }
}
