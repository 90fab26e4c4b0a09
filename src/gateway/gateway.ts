import * as grpc from "@grpc/grpc-js";
import type { ServerSurfaceCall as ServerCall } from "@grpc/grpc-js/build/src/server-call.js";
import { SpanStatusCode } from "@opentelemetry/api";
import { InvalidOptionError } from "../actor/errors.js";
import { ShutdownPhase } from "../actor/coordinated-shutdown.js";
import { withSpan } from "../actor/tracing.js";
import type { ExtensionId } from "../actor/extension.js";
import type { ActorRef } from "../actor/ref.js";
import type { ActorSystem } from "../actor/system.js";
import { ActorStopped } from "../actor/events.js";
import { ClusterExtensionId, type Cluster } from "../cluster/cluster.js";
import { ClusterEvent } from "../cluster/events.js";
import { RemotingId, type Remoting } from "../remote/remoting.js";
import { ShardEnvelope } from "../sharding/envelope.js";
import { regionStats } from "../sharding/region.js";
import type { Any } from "../../gen/google/protobuf/any.js";
import {
  GatewayServiceService,
  type AskRequest,
  type AskResponse,
  type GatewayServiceServer,
  type TellRequest,
  type TellResponse,
  type WatchMembersRequest,
  type WatchMembersResponse,
} from "../../gen/casty/v1/gateway.js";
import { askTimeoutOf } from "./deadline.js";
import { distributedHandlers } from "./distributed-rpcs.js";
import { MultiplexSession, type MultiplexHost, type MultiplexStream } from "./multiplex.js";
import { wireEvent, wireState } from "./membership.js";
import { resolveGatewayOptions, type GatewayOptions, type ResolvedGatewayOptions } from "./options.js";
import { manifestOf, toAny } from "./payload.js";
import { callSpan } from "./call-span.js";
import { notServing, refuse, serviceError, statusOf } from "./status.js";

const TELL_DONE: TellResponse = {};
/** Queued membership responses beyond which a watcher that does not read is cut off. */
const WATCHER_BACKLOG = 1000;

type Watcher = grpc.ServerWritableStream<WatchMembersRequest, WatchMembersResponse>;

/** The service with Multiplex's responses as the bytes its sessions encode. */
const SERVICE = { ...GatewayServiceService, multiplex: { ...GatewayServiceService.multiplex, responseSerialize: (frame: Buffer) => frame } };

/**
 * `casty.v1.GatewayService` on this node's port: clients outside the cluster (any language) tell and
 * ask sharded entities, use the distributed data structures and watch the membership. Served while
 * the node is Up; from the `service-unbind` phase of the shutdown on, calls are UNAVAILABLE.
 */
export class Gateway {
  private readonly system: ActorSystem;
  private readonly remoting: Remoting;
  private readonly cluster: Cluster;
  private readonly options: ResolvedGatewayOptions;
  private up = false;
  private accepting = true;
  private inFlight = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly sessions = new Set<MultiplexSession>();
  private readonly multiplexHost: MultiplexHost;
  /** Calls answered, by method, then by status code (index). */
  private readonly answered = new Map<string, number[]>();
  /** Regions found by name, so a call does not walk the actor tree; dropped when they stop. */
  private readonly regions = new Map<string, ActorRef<ShardEnvelope<unknown>>>();

  /** Serves the gateway on `system`'s port with `options` (once per node; `system.extension(GatewayId)` uses the defaults). */
  static serve(system: ActorSystem, options?: GatewayOptions): Gateway {
    if (system.findExtension(GatewayId) !== undefined) throw new InvalidOptionError("this node already serves the gateway");
    const gateway = new Gateway(system, options);
    system.registerExtension(GatewayId, gateway);
    return gateway;
  }

  constructor(system: ActorSystem, options?: GatewayOptions) {
    const remoting = system.findExtension(RemotingId);
    const cluster = system.findExtension(ClusterExtensionId);
    if (remoting === undefined || cluster === undefined) throw new InvalidOptionError("the gateway needs a cluster node (ClusteredActorSystem.start)");
    this.system = system;
    this.remoting = remoting;
    this.cluster = cluster;
    this.options = resolveGatewayOptions(options);
    this.up = this.cluster.selfMember?.status === "up";
    this.system.eventStream.subscribe(ClusterEvent, (event) => this.membershipChanged(event));
    this.system.eventStream.subscribe(ActorStopped, (event) => this.regionStopped(event.ref));
    this.multiplexHost = {
      serialization: this.remoting.serialization,
      maxMessageSize: this.remoting.options.maxMessageSize,
      log: this.system.log,
      take: () => {
        const refusal = this.serving() ?? this.capacity();
        if (refusal === undefined) this.inFlight++;
        return refusal;
      },
      done: () => {
        this.inFlight--;
      },
      tell: (request) => this.tell(request),
      ask: (request, timeout) => this.askOf(request, timeout),
      askTimeout: (ms) => (ms === 0 ? this.options.askTimeout : Math.min(ms, this.options.maxAskTimeout)),
      answered: (method, code) => {
        this.codesOf(method)[code]++;
      },
      span: (method, traceparent) => callSpan(method, traceparent, this.system.addressPrefix),
    };
    const handlers: GatewayServiceServer = {
      tell: this.unary("tell", (request: TellRequest) => this.tell(request)),
      ask: this.unary("ask", async (request: AskRequest, call: grpc.ServerUnaryCall<AskRequest, AskResponse>) => ({
        reply: this.encode(await this.askOf(request, this.timeoutOf(call))),
      })),
      multiplex: (call) => this.multiplex(call as unknown as MultiplexStream), // SERVICE writes its responses as the bytes given
      getClusterState: this.unary("getClusterState", () => ({ state: this.state() })),
      watchMembers: (call) => this.watch(call),
      ...distributedHandlers(this.system, this.options.distributed, {
        unary: (what, handle) => this.unary(what, handle),
        decode: (any) => this.decode(any),
        encode: (value) => this.encode(value),
        timeout: (call) => this.timeoutOf(call),
      }),
    };
    this.remoting.server.addService(SERVICE, handlers);
    this.system.coordinatedShutdown.addTask(ShutdownPhase.serviceUnbind, "gateway", () => this.unbind());
  }

  /** Calls being handled now. */
  get callsInFlight(): number {
    return this.inFlight;
  }

  /** Calls answered so far (unary, and those on Multiplex streams as their unary method), by method, then by gRPC status code (the array index). */
  get callsAnswered(): ReadonlyMap<string, readonly number[]> {
    return this.answered;
  }

  private tell(request: TellRequest): TellResponse {
    const region = this.region(request.region);
    const entityId = entityIdOf(request.entityId);
    region.tell(new ShardEnvelope(entityId, this.decode(request.message)));
    return TELL_DONE;
  }

  /** Sends an ask; its reply as it came. Throws (rather than rejects) for a request it cannot send. */
  private askOf(request: AskRequest, timeout: number): Promise<unknown> {
    const region = this.region(request.region);
    const entityId = entityIdOf(request.entityId);
    const message = this.decode(request.message);
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      throw refuse(grpc.status.INVALID_ARGUMENT, "an ask needs an object message: the gateway puts the reply ref into its replyTo (reply_to) field");
    }
    return this.system.ask(region, (replyTo: ActorRef<unknown>) => new ShardEnvelope(entityId, withReplyTo(message, replyTo, this.remoting)), { timeout });
  }

  private multiplex(call: MultiplexStream): void {
    try {
      const refusal = this.authenticate(call);
      if (refusal !== undefined) return void call.emit("error", refusal);
      const session = new MultiplexSession(this.multiplexHost, call, () => this.sessions.delete(session));
      this.sessions.add(session);
      const notUp = this.serving();
      if (notUp !== undefined) session.end(notUp);
    } catch (error) {
      this.system.log.warn(`the gateway's Multiplex stream failed: ${reasonOf(error)}`);
      call.emit("error", serviceError(grpc.status.INTERNAL, reasonOf(error)));
    }
  }

  private watch(call: Watcher): void {
    try {
      const refusal =
        this.admit(call) ??
        (this.watchers.size >= this.options.maxWatchers
          ? serviceError(grpc.status.RESOURCE_EXHAUSTED, `${this.watchers.size} membership streams are open: the most this node serves`)
          : undefined);
      if (refusal !== undefined) {
        call.emit("error", refusal);
        return;
      }
      this.watchers.add(call);
      const forget = (): void => void this.watchers.delete(call);
      call.on("cancelled", forget);
      call.on("error", forget);
      call.on("finish", forget);
      call.write({ state: this.state() });
    } catch (error) {
      this.system.log.warn(`the gateway's membership stream failed: ${reasonOf(error)}`);
      this.watchers.delete(call);
      call.emit("error", serviceError(grpc.status.INTERNAL, reasonOf(error)));
    }
  }

  private membershipChanged(event: ClusterEvent): void {
    this.up = this.cluster.selfMember?.status === "up";
    const wire = wireEvent(event);
    if (wire !== undefined && this.watchers.size > 0) {
      const response: WatchMembersResponse = { state: this.state(), event: wire };
      for (const watcher of this.watchers) {
        if (watcher.writableLength > WATCHER_BACKLOG) this.endWatcher(watcher, grpc.status.RESOURCE_EXHAUSTED, "the membership stream is not being read");
        else watcher.write(response);
      }
    }
    if (!this.up && this.cluster.selfMember !== undefined) {
      for (const watcher of this.watchers) this.endWatcher(watcher, grpc.status.UNAVAILABLE, `${this.remoting.selfAddress} is no longer Up`);
      this.endSessions(`${this.remoting.selfAddress} is no longer Up: ask another node`);
    }
  }

  private endWatcher(watcher: Watcher, code: grpc.status, details: string): void {
    this.watchers.delete(watcher);
    watcher.emit("error", serviceError(code, details));
  }

  private unbind(): void {
    this.accepting = false;
    for (const watcher of this.watchers) this.endWatcher(watcher, grpc.status.UNAVAILABLE, `${this.remoting.selfAddress} is shutting down`);
    this.endSessions(`${this.remoting.selfAddress} is shutting down: ask another node`);
  }

  private endSessions(details: string): void {
    for (const session of this.sessions) session.end(notServing(details));
  }

  private codesOf(method: string): number[] {
    let codes = this.answered.get(method);
    if (codes === undefined) {
      codes = new Array<number>(grpc.status.UNAUTHENTICATED + 1).fill(0);
      this.answered.set(method, codes);
    }
    return codes;
  }

  private state() {
    return wireState(this.cluster.state, this.cluster.leader);
  }

  /**
   * A unary handler that contains its errors: every throw and rejection becomes the call's status
   * (INTERNAL ones with a warn line); sync handlers answer without a promise.
   */
  private unary<Req, Res>(what: string, handle: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Res | Promise<Res>): grpc.handleUnaryCall<Req, Res> {
    const codes = this.codesOf(what);
    return (call, callback) => {
      const refusal = this.admit(call);
      if (refusal !== undefined) {
        codes[refusal.code]++;
        return callback(refusal);
      }
      this.inFlight++;
      const span = callSpan(what, call.metadata.get("traceparent")[0], this.system.addressPrefix);
      const fail = (error: unknown): void => {
        this.inFlight--;
        const code = statusOf(error);
        codes[code]++;
        span?.setStatus({ code: SpanStatusCode.ERROR, message: reasonOf(error) });
        span?.end();
        if (code === grpc.status.INTERNAL) this.system.log.warn(`gateway ${what} call from ${call.getPeer()} failed: ${reasonOf(error)}`);
        callback(serviceError(code, reasonOf(error)));
      };
      let result: Res | Promise<Res>;
      try {
        result = withSpan(span, () => handle(call.request, call));
      } catch (error) {
        return fail(error);
      }
      if (!(result instanceof Promise)) {
        this.inFlight--;
        codes[grpc.status.OK]++;
        span?.end();
        return callback(null, result);
      }
      result.then((response) => {
        this.inFlight--;
        codes[grpc.status.OK]++;
        span?.end();
        callback(null, response);
      }, fail);
    };
  }

  /** Why a call is not served here, if it is not. */
  private admit(call: ServerCall): grpc.ServiceError | undefined {
    return this.serving() ?? this.capacity() ?? this.authenticate(call);
  }

  private serving(): grpc.ServiceError | undefined {
    return this.up && this.accepting ? undefined : notServing(`${this.remoting.selfAddress} is not Up: ask another node`);
  }

  private capacity(): grpc.ServiceError | undefined {
    return this.inFlight < this.options.maxInFlight
      ? undefined
      : serviceError(grpc.status.RESOURCE_EXHAUSTED, `${this.inFlight} gateway calls are in flight: the most this node takes`);
  }

  /** With TLS: whether the client's certificate is accepted. */
  private authenticate(call: ServerCall): grpc.ServiceError | undefined {
    if (this.remoting.options.tls === undefined) return undefined;
    const certificate = call.getAuthContext().sslPeerCertificate; // present only when verified against the CA
    if (certificate === undefined) {
      return this.options.open ? undefined : serviceError(grpc.status.UNAUTHENTICATED, "the gateway needs a client certificate signed by the cluster's CA");
    }
    let allowed: boolean;
    try {
      allowed = this.options.authorize?.(certificate) ?? true;
    } catch (error) {
      this.system.log.warn(`the gateway's authorize option threw: ${reasonOf(error)}`);
      allowed = false;
    }
    return allowed ? undefined : serviceError(grpc.status.PERMISSION_DENIED, `${String(certificate.subject.CN ?? "this client")} may not call the gateway`);
  }

  private region(name: string): ActorRef<ShardEnvelope<unknown>> {
    const known = this.regions.get(name);
    if (known !== undefined) return known;
    if (typeof name !== "string" || name.length === 0 || name.includes("/"))
      throw refuse(grpc.status.INVALID_ARGUMENT, `region must be a region name, got ${JSON.stringify(name)}`);
    const ref = this.system.lookup<ShardEnvelope<unknown>>(`/user/${name}`);
    if (ref === undefined || regionStats(ref) === undefined) throw refuse(grpc.status.NOT_FOUND, `no sharded region "${name}" on ${this.remoting.selfAddress}`);
    this.regions.set(name, ref);
    return ref;
  }

  private regionStopped(ref: ActorRef<never>): void {
    if (this.regions.size === 0 || !ref.path.startsWith("/user/")) return;
    const name = ref.path.slice("/user/".length);
    if (this.regions.get(name)?.equals(ref)) this.regions.delete(name);
  }

  private decode(any: Any | undefined): unknown {
    if (any === undefined) throw refuse(grpc.status.INVALID_ARGUMENT, "the payload is missing");
    if (any.value.length > this.remoting.options.maxMessageSize) {
      throw refuse(grpc.status.RESOURCE_EXHAUSTED, `a ${any.value.length}-byte payload is over the ${this.remoting.options.maxMessageSize}-byte message size`);
    }
    return this.remoting.serialization.deserialize(manifestOf(any), any.value);
  }

  private encode(value: unknown): Any {
    const payload = this.remoting.serialization.serialize(value);
    if (payload.bytes.length > this.remoting.options.maxMessageSize) {
      throw refuse(
        grpc.status.RESOURCE_EXHAUSTED,
        `the ${payload.bytes.length}-byte answer is over the ${this.remoting.options.maxMessageSize}-byte message size`,
      );
    }
    return toAny(payload);
  }

  /** The ask timeout of a call: its deadline, else the default, at most `maxAskTimeout`. */
  private timeoutOf(call: ServerCall): number {
    return askTimeoutOf(call, this.system.scheduler.now(), this.options.askTimeout, this.options.maxAskTimeout);
  }
}

function entityIdOf(id: string): string {
  if (typeof id !== "string" || id.length === 0) throw refuse(grpc.status.INVALID_ARGUMENT, "entity_id must not be empty");
  return id;
}

/**
 * The reply convention: a plain-data object gets the reply ref as `replyTo`; a Protobuf message
 * (tagged `$type`) gets it as `replyTo` = casty.v1.ActorRef `{ address }`, its `reply_to` field.
 */
function withReplyTo(message: object, replyTo: ActorRef<unknown>, node: Remoting): object {
  const target = message as { replyTo?: unknown; $type?: unknown };
  target.replyTo = typeof target.$type === "string" ? { address: node.addressOf(replyTo) } : replyTo;
  return message;
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The gateway of a node with the default options: `system.extension(GatewayId)` starts serving it. */
export const GatewayId: ExtensionId<Gateway> = {
  key: "casty.Gateway",
  create: (system) => new Gateway(system),
};
