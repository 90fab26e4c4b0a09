import * as grpc from "@grpc/grpc-js";
import type { ActorRef } from "../actor/ref.js";
import { nodeUri } from "./address.js";
import { Endpoint, type EndpointHost, type Peer } from "./endpoint.js";
import type { ReturnLink } from "./return-link.js";

/** Remote refs kept for reuse; beyond this many the cache starts over. */
const REF_CACHE_LIMIT = 10_000;

/** What the manager holds, for tests that check that churn does not grow it. */
export interface EndpointCounts {
  readonly endpoints: number;
  readonly clients: number;
  readonly refs: number;
  /** Streams peers opened to this node that it may send back on. */
  readonly links: number;
}

/**
 * Everything a node keeps per peer on the sending side: the outbound endpoint, the gRPC client (shared
 * with the cluster's gossip and heartbeat streams) and cached refs. `remove` drops all of it when the
 * peer leaves for good, so nodes coming and going do not grow memory.
 */
export class EndpointManager {
  /** By node URI prefix (`casty://name@host:port`), so resolving a ref skips parsing. */
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly clients = new Map<string, grpc.Client>();
  private readonly refs = new Map<string, ActorRef<unknown>>();
  /** The latest stream each peer opened to this node, by node URI prefix: endpoints may send on it. */
  private readonly links = new Map<string, ReturnLink>();
  private closing = false;

  constructor(
    private readonly host: EndpointHost,
    private readonly newClient: (peerKey: string) => grpc.Client,
  ) {}

  get counts(): EndpointCounts {
    return { endpoints: this.endpoints.size, clients: this.clients.size, refs: this.refs.size, links: this.links.size };
  }

  /** The endpoint for a node prefix, if one is open. */
  endpointAt(node: string): Endpoint | undefined {
    return this.endpoints.get(node);
  }

  endpoint(peer: Peer): Endpoint {
    const node = nodeUri(peer.system, peer.key);
    let endpoint = this.endpoints.get(node);
    if (endpoint === undefined) {
      this.endpoints.set(node, (endpoint = new Endpoint(peer, this.host)));
      if (this.closing) endpoint.retire("remoting is shut down", false);
      const link = this.links.get(node);
      if (link !== undefined && !link.isClosed) endpoint.attach(link);
    }
    return endpoint;
  }

  /** A peer opened a stream to this node: its endpoint (now or once created) may send on it. */
  linkOpened(link: ReturnLink): void {
    const node = nodeUri(link.peer.system, link.peer.key);
    this.links.set(node, link);
    this.endpoints.get(node)?.attach(link);
  }

  linkClosed(link: ReturnLink): void {
    const node = nodeUri(link.peer.system, link.peer.key);
    if (this.links.get(node) === link) this.links.delete(node);
  }

  client(peerKey: string): grpc.Client {
    let client = this.clients.get(peerKey);
    if (client === undefined) this.clients.set(peerKey, (client = this.newClient(peerKey)));
    return client;
  }

  cachedRef(address: string): ActorRef<unknown> | undefined {
    return this.refs.get(address);
  }

  cacheRef(address: string, ref: ActorRef<unknown>): void {
    if (this.refs.size >= REF_CACHE_LIMIT) this.refs.clear();
    this.refs.set(address, ref);
  }

  /**
   * Drops what is held for the node at `peerKey` (every system name there): its endpoints are retired
   * (queued messages become dead letters with `reason`; refs still held elsewhere reach a fresh endpoint
   * if they are used again), its client is closed, its cached refs are forgotten.
   */
  remove(peerKey: string, reason: string): void {
    for (const [node, endpoint] of this.endpoints) {
      if (endpoint.peer.key !== peerKey) continue;
      this.endpoints.delete(node);
      endpoint.retire(reason);
      for (const address of this.refs.keys()) if (address.startsWith(`${node}/`)) this.refs.delete(address);
    }
    for (const [node, link] of this.links) if (link.peer.key === peerKey) this.links.delete(node);
    this.clients.get(peerKey)?.close();
    this.clients.delete(peerKey);
    this.host.traffic.forget(peerKey);
  }

  /** Graceful close of every endpoint (shutdown), then of the clients. */
  async closeEndpoints(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.endpoints.values()].map((endpoint) => endpoint.close()));
  }

  closeClients(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
