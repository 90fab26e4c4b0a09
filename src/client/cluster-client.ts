import * as grpc from "@grpc/grpc-js";
import { context } from "@opentelemetry/api";
import type { ActorRef } from "../actor/ref.js";
import { traceparentOf } from "../actor/tracing.js";
import type { MemberInfo } from "../cluster/events.js";
import { Serialization } from "../serialization/serialization.js";
import type { ClusterState, GatewayServiceClient, MembershipEvent, WatchMembersResponse } from "../../gen/casty/v1/gateway.js";
import type { Any } from "../../gen/google/protobuf/any.js";
import { memberStatusOf } from "../gateway/member-status.js";
import { manifestOf, toAny } from "../gateway/payload.js";
import { NOT_PROCESSED } from "../gateway/status.js";
import { clientRefs, GatewayReplyRef } from "./client-refs.js";
import { ContactPoints } from "./contact-points.js";
import { ClientDistributed } from "./distributed.js";
import type { CallOptions, GatewayCalls, GatewayRpc, ResponseOf } from "./rpc.js";
import { callError, ClusterClientError } from "./errors.js";
import { InFlight } from "./in-flight.js";
import { Multiplexer } from "./multiplexer.js";
import { resolveClientOptions, type ClusterClientOptions, type ResolvedClientOptions } from "./options.js";

/** The membership as the contacted node sees it. */
export interface ClusterMembers {
  readonly members: readonly Omit<MemberInfo, "upNumber">[];
  readonly leader: string | undefined;
  readonly unreachable: readonly string[];
}

const REPLY = new GatewayReplyRef();
const NO_METADATA = new grpc.Metadata();

/**
 * A client of the cluster that is not a member: it calls `casty.v1.GatewayService` on one contact
 * point at a time, moves to the next when one goes away, and retries only idempotent calls (reads),
 * and calls a node refused before taking them (it was not Up).
 * Every call has a deadline; calls in flight are bounded.
 */
export class ClusterClient implements GatewayCalls {
  /** Registers the application's classes and Protobuf types, as on the nodes. */
  readonly serialization = new Serialization(clientRefs);
  private readonly contacts: ContactPoints;
  private readonly inFlight: InFlight;
  private readonly multiplexer: Multiplexer;
  private closed = false;

  private constructor(private readonly options: ResolvedClientOptions) {
    this.contacts = new ContactPoints(options);
    this.inFlight = new InFlight(options.maxInFlight);
    this.multiplexer = new Multiplexer(options, this.contacts, this.serialization, this.inFlight);
  }

  /** Connects once a contact point answers (within `connectTimeout`), else rejects. */
  static async connect(options: ClusterClientOptions): Promise<ClusterClient> {
    const client = new ClusterClient(resolveClientOptions(options));
    const resolved = client.options;
    const until = resolved.scheduler.now() + resolved.connectTimeout;
    for (;;) {
      try {
        await client.members({ timeout: Math.max(1, Math.min(resolved.timeout, until - resolved.scheduler.now())) });
        return client;
      } catch (error) {
        if (resolved.scheduler.now() >= until || !(error instanceof ClusterClientError) || error.code !== grpc.status.UNAVAILABLE) {
          client.close();
          throw error;
        }
        await new Promise<void>((resolve) => resolved.scheduler.setTimeout(resolve, 100));
      }
    }
  }

  /** The contact point calls go to now. */
  get contactPoint(): string {
    return this.contacts.address;
  }

  /**
   * Sends `message` to an entity; resolves once a node routed it (at most once: sent again only to
   * another node when one refused it untouched). Tells and asks of one event-loop turn travel together
   * on the contact point's Multiplex stream.
   */
  tell(region: string, entityId: string, message: unknown, options?: CallOptions): Promise<void> {
    const sent = this.multiplexer.call(false, region, entityId, message, options) as Promise<unknown> as Promise<void>;
    sent.catch(() => undefined); // a tell nobody awaits does not fail the process
    return sent;
  }

  /**
   * Asks an entity: `createRequest(replyTo)` builds the message, and the gateway fills in its
   * `replyTo` (the `reply_to` field of a Protobuf message). Rejects with `AskTimeoutError` after `timeout`.
   */
  async ask<Res>(region: string, entityId: string, createRequest: (replyTo: ActorRef<Res>) => object, options?: CallOptions): Promise<Res> {
    const reply = await this.multiplexer.call(true, region, entityId, withoutReplyTo(createRequest(REPLY)), options);
    return this.decode(reply) as Res;
  }

  /** The cluster's membership, as the contacted node sees it. */
  async members(options?: CallOptions): Promise<ClusterMembers> {
    const response = await this.invoke("getClusterState", () => ({}), options, true);
    return membersOf(response.state);
  }

  /**
   * Follows the membership: `listener` gets the current state, then every event with the state after
   * it. The stream moves to another contact point when its node goes away. Returns a function that stops it.
   */
  watchMembers(listener: (members: ClusterMembers, event: MembershipEvent | undefined) => void): () => void {
    let stream: grpc.ClientReadableStream<WatchMembersResponse> | undefined;
    let stopped = false;
    let delay = 100;
    const open = (): void => {
      if (stopped || this.closed) return;
      const index = this.contacts.index;
      stream = this.contacts.channel(index).watchMembers({});
      stream.on("data", (response: WatchMembersResponse) => {
        delay = 100;
        try {
          listener(membersOf(response.state), response.event);
        } catch {
          // the listener's own failure is not the stream's
        }
      });
      stream.on("error", (error: grpc.ServiceError) => {
        if (stopped || error.code === grpc.status.CANCELLED) return;
        this.contacts.failed(index);
        this.options.scheduler.setTimeout(open, delay);
        delay = Math.min(delay * 2, 5000);
      });
    };
    open();
    return () => {
      stopped = true;
      stream?.cancel();
    };
  }

  /** The cluster's distributed data structures, by name (as `system.distributed()` on a node). */
  distributed(): ClientDistributed {
    return new ClientDistributed(this);
  }

  /** Closes every channel; calls after it reject. */
  close(): void {
    this.closed = true;
    this.multiplexer.close();
    this.contacts.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }

  /** @internal Encodes a value as the gateway takes it. */
  encode(value: unknown): Any {
    const payload = this.serialization.serialize(value);
    if (payload.bytes.length > this.options.maxMessageSize) {
      throw new ClusterClientError(
        grpc.status.RESOURCE_EXHAUSTED,
        `a ${payload.bytes.length}-byte message is over the ${this.options.maxMessageSize}-byte message size`,
      );
    }
    return toAny(payload);
  }

  /** @internal */
  decode(any: Any | undefined): unknown {
    return any === undefined ? undefined : this.serialization.deserialize(manifestOf(any), any.value);
  }

  /**
   * @internal Calls `method` on the current contact point. An idempotent call that finds it
   * UNAVAILABLE is tried on the next ones (up to `retries` more), within the one deadline.
   */
  invoke<K extends GatewayRpc>(
    method: K,
    request: () => Parameters<GatewayServiceClient[K]>[0],
    options: CallOptions | undefined,
    idempotent: boolean,
  ): Promise<ResponseOf<K>> {
    if (this.closed) return Promise.reject(new ClusterClientError(grpc.status.CANCELLED, "the client is closed"));
    const refusal = this.inFlight.refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    let built: Parameters<GatewayServiceClient[K]>[0];
    try {
      built = request();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(new ClusterClientError(grpc.status.CANCELLED, `the ${method} call was cancelled`));
    const timeout = options?.timeout ?? this.options.timeout;
    const deadline = this.options.scheduler.now() + timeout;
    const metadata = traceMetadata();
    this.inFlight.count++;
    return new Promise<ResponseOf<K>>((resolve, reject) => {
      let current: grpc.ClientUnaryCall | undefined;
      const cancel = (): void => current?.cancel(); // its callback gets CANCELLED
      signal?.addEventListener("abort", cancel, { once: true });
      const attempt = (left: number): void => {
        const index = this.contacts.index;
        const call = this.contacts.channel(index)[method] as unknown as (
          request: unknown,
          metadata: grpc.Metadata,
          options: Partial<grpc.CallOptions>,
          callback: (error: grpc.ServiceError | null, response: ResponseOf<K>) => void,
        ) => grpc.ClientUnaryCall;
        current = call.call(this.contacts.channel(index), built, metadata, { deadline }, (error, response) => {
          if (error !== null) {
            if (error.code === grpc.status.UNAVAILABLE) this.contacts.failed(index);
            const retry = error.code === grpc.status.UNAVAILABLE && (idempotent || notProcessed(error));
            if (retry && left > 0 && this.options.scheduler.now() < deadline && !this.closed) return attempt(left - 1);
          }
          this.inFlight.count--;
          signal?.removeEventListener("abort", cancel);
          if (error === null) resolve(response);
          else reject(callError(method, error.code, error.details || error.message, timeout, error));
        });
      };
      attempt(this.options.retries);
    });
  }
}

/** The caller's trace context (W3C `traceparent`) when its OpenTelemetry span is active: the call joins its trace. */
function traceMetadata(): grpc.Metadata {
  const traceparent = traceparentOf(context.active());
  if (traceparent === undefined) return NO_METADATA;
  const metadata = new grpc.Metadata();
  metadata.set("traceparent", traceparent);
  return metadata;
}

/** A refusal of a node that is not Up: the call was not taken, so another node may take it. */
function notProcessed(error: grpc.ServiceError): boolean {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- errors made by the client itself carry no metadata
  return error.metadata?.get(NOT_PROCESSED)[0] === "1";
}

/** The message without the reply placeholder: the gateway puts its own reply ref there. */
function withoutReplyTo(message: object): object {
  if ((message as { replyTo?: unknown }).replyTo !== REPLY) return message;
  const rest: Record<string, unknown> = {}; // copied without the key: a delete would make the object slow
  for (const key in message) if (key !== "replyTo") rest[key] = (message as Record<string, unknown>)[key];
  return rest;
}

function membersOf(state: ClusterState | undefined): ClusterMembers {
  return {
    members: (state?.members ?? []).map((m) => ({ address: m.address, status: memberStatusOf(m.status), roles: m.roles })),
    leader: state?.leader === undefined || state.leader === "" ? undefined : state.leader,
    unreachable: state?.unreachable ?? [],
  };
}
