import * as grpc from "@grpc/grpc-js";
import type { ServerSurfaceCall } from "@grpc/grpc-js/build/src/server-call.js";
import { ShutdownPhase } from "../actor/coordinated-shutdown.js";
import { InvalidOptionError } from "../actor/errors.js";
import type { ExtensionId } from "../actor/extension.js";
import type { ActorSystem } from "../actor/system.js";
import { ClusterExtensionId, type Cluster } from "../cluster/cluster.js";
import { ClusterEvent } from "../cluster/events.js";
import { notServing, serviceError, statusOf } from "../gateway/status.js";
import { RemotingId, type Remoting } from "../remote/remoting.js";
import { CallContext, type CallHost } from "./call-context.js";
import { CallStats, STATUS_CODES, type CallCount, type ServedCall } from "./call-stats.js";
import { kindOf, serviceNameOf, type MethodShape, type ServiceImplementation, type ServiceShape } from "./definition.js";
import { methodHandler, OVERSIZED, type Served } from "./method-handlers.js";
import { resolveServicesOptions, type ResolvedServicesOptions, type ServicesOptions } from "./options.js";

const passBytes = (bytes: Buffer): Buffer => bytes;

/**
 * The node's own gRPC services (`system.grpc`), as Akka gRPC serves them: added with a grpc-js
 * service definition (ts-proto's `outputServices=grpc-js`, or `@grpc/proto-loader`'s) and typed
 * handlers, served on the node's one port, with its TLS and message size, while the node is Up (else
 * UNAVAILABLE, and from the shutdown's `service-unbind` phase on). Each service is in gRPC health by
 * its full name; calls are counted per method and status code.
 */
export class GrpcServices {
  private readonly remoting: Remoting;
  private readonly cluster: Cluster;
  private readonly options: ResolvedServicesOptions;
  private readonly stats: CallStats;
  private readonly names = new Set<string>();
  private readonly host: CallHost;
  private readonly served: Served;
  private up: boolean;
  private accepting = true;
  private relays = 0;

  /** The services of `system` with `options` (once per node; `system.extension(GrpcServicesId)` uses the defaults). */
  static install(system: ActorSystem, options?: ServicesOptions): GrpcServices {
    if (system.findExtension(GrpcServicesId) !== undefined) throw new InvalidOptionError("this node's gRPC services are already installed");
    const services = new GrpcServices(system, options);
    system.registerExtension(GrpcServicesId, services);
    return services;
  }

  constructor(
    private readonly system: ActorSystem,
    options?: ServicesOptions,
  ) {
    const remoting = system.findExtension(RemotingId);
    const cluster = system.findExtension(ClusterExtensionId);
    if (remoting === undefined || cluster === undefined) throw new InvalidOptionError("gRPC services need a cluster node (ClusteredActorSystem.start)");
    this.remoting = remoting;
    this.cluster = cluster;
    this.options = resolveServicesOptions(options);
    const log = system.log;
    this.stats = new CallStats((message) => log.warn(message));
    this.host = { system, options: this.options, relayName: () => `grpc-stream-${(this.relays++).toString(36)}` };
    this.served = {
      maxMessageSize: remoting.options.maxMessageSize,
      now: () => system.scheduler.now(),
      admit: () => (this.accepting && (this.up || this.isUp()) ? undefined : notServing(`${remoting.selfAddress} is not Up: ask another node`)),
      context: (call) => new CallContext(this.host, call),
      failure: (method, call, error) => this.failure(method, call, error),
      ended: (method, code, startedAt) => this.stats.ended(method, code, system.scheduler.now() - startedAt),
      debug: (message) => log.debug(message),
      warn: (message) => log.warn(message),
    };
    this.up = this.isUp();
    system.eventStream.subscribe(ClusterEvent, () => (this.up = this.isUp()));
    system.coordinatedShutdown.addTask(ShutdownPhase.serviceUnbind, "grpc services", () => void (this.accepting = false));
  }

  /**
   * Serves `definition` with `implementation` on this node's port, before or after the node is Up.
   * Each handler gets its call and a `CallContext`; a method without a handler answers UNIMPLEMENTED.
   */
  addService<S extends ServiceShape>(definition: S, implementation: ServiceImplementation<S>): void {
    const methods = Object.entries(definition as ServiceShape);
    if (methods.length === 0) throw new InvalidOptionError("a service definition needs at least one method");
    const name = serviceNameOf(methods[0][1].path);
    if (this.names.has(name)) throw new InvalidOptionError(`service ${name} is already served`);
    const handlers = implementation as Readonly<Record<string, ((call: never, ctx: CallContext) => unknown) | undefined>>;
    const wrapped: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    const wrappedHandlers: grpc.UntypedServiceImplementation = {};
    for (const [key, method] of methods) {
      if (serviceNameOf(method.path) !== name) throw new InvalidOptionError(`method ${method.path} is not of service ${name}`);
      const kind = kindOf(method);
      const singleAnswer = kind === "unary" || kind === "clientStream";
      wrapped[key] = {
        path: method.path,
        requestStream: method.requestStream,
        responseStream: method.responseStream,
        requestDeserialize: this.checkedDeserialize(method),
        responseSerialize: singleAnswer ? (passBytes as (value: unknown) => Buffer) : this.checkedSerialize(method),
        requestSerialize: passBytes as (value: unknown) => Buffer,
        responseDeserialize: passBytes,
      };
      const handle = handlers[key] ?? (method.originalName === undefined ? undefined : handlers[method.originalName]);
      if (handle === undefined) continue;
      if (typeof handle !== "function") throw new InvalidOptionError(`the handler of ${method.path} is not a function`);
      this.stats.track(method.path);
      wrappedHandlers[key] = methodHandler(this.served, method.path, kind, handle, method.responseSerialize as (value: unknown) => Buffer);
    }
    this.remoting.server.addService(wrapped, wrappedHandlers);
    this.names.add(name);
    this.cluster.reportHealthOf(name);
  }

  /** Full names of the services added. */
  get services(): readonly string[] {
    return [...this.names];
  }

  /** Calls so far per method path and status code (pairs with no call left out). */
  calls(): CallCount[] {
    return this.stats.snapshot();
  }

  /** Method paths served with a handler. */
  get methods(): readonly string[] {
    return this.stats.methods;
  }

  /** Tells `listener` of each call as it ends (method, code, duration); returns the unsubscribe. */
  onCallEnded(listener: (call: ServedCall) => void): () => void {
    return this.stats.listen(listener);
  }

  /**
   * Whether the member is Up now. The flag follows the cluster's events, which arrive a little after
   * the change: a refused call asks again, so a node that `whenUp` saw Up serves at once.
   */
  private isUp(): boolean {
    return this.cluster.selfMember?.status === "up";
  }

  private checkedDeserialize(method: MethodShape): (bytes: Buffer) => unknown {
    const max = this.remoting.options.maxMessageSize;
    return (bytes) => (bytes.length > max ? OVERSIZED : method.requestDeserialize(bytes));
  }

  /** A streamed response over the message size fails its call (grpc-js answers INTERNAL, with a warn line here). */
  private checkedSerialize(method: MethodShape): (value: unknown) => Buffer {
    const max = this.remoting.options.maxMessageSize;
    const serialize = method.responseSerialize as (value: unknown) => Buffer;
    return (value) => {
      const bytes = serialize(value);
      if (bytes.length <= max) return bytes;
      this.system.log.warn(`${method.path}: a ${bytes.length}-byte response is over the ${max}-byte message size`);
      throw new RangeError(`a ${bytes.length}-byte response is over the ${max}-byte message size`);
    };
  }

  private failure(method: string, call: ServerSurfaceCall, error: unknown): grpc.ServiceError {
    const code = codeOf(error);
    const details = error instanceof Error ? error.message : String(error);
    if (code === grpc.status.INTERNAL && !call.cancelled) this.system.log.warn(`${method} call from ${call.getPeer()} failed: ${details}`);
    const metadata = (error as Partial<grpc.ServiceError> | undefined)?.metadata;
    return serviceError(code, details, metadata instanceof grpc.Metadata ? metadata : undefined);
  }
}

/** The gateway's mapping of casty errors; an error carrying a gRPC status code (a `grpc.ServiceError`) keeps it. */
function codeOf(error: unknown): grpc.status {
  const code = statusOf(error);
  if (code !== grpc.status.INTERNAL) return code;
  const own = (error as { code?: unknown } | undefined)?.code;
  return (typeof own === "number" && own > 0 ? STATUS_CODES[own] : undefined) ?? code;
}

/** The gRPC services of a node with the default options. */
export const GrpcServicesId: ExtensionId<GrpcServices> = {
  key: "casty.GrpcServices",
  create: (system) => new GrpcServices(system),
};
