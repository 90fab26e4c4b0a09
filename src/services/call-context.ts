import * as grpc from "@grpc/grpc-js";
import type { ServerSurfaceCall } from "@grpc/grpc-js/build/src/server-call.js";
import type { ReplyOf } from "../actor/api.js";
import { LocalBehaviors as Behaviors } from "../actor/behavior.js";
import type { ActorRef } from "../actor/ref.js";
import type { TimerHandle } from "../actor/scheduler.js";
import type { ActorSystem } from "../actor/system.js";
import { askTimeoutOf } from "../gateway/deadline.js";
import { refuse } from "../gateway/status.js";
import { ShardEnvelope } from "../sharding/envelope.js";
import type { ResolvedServicesOptions } from "./options.js";

/** Told to an ask's reply ref when its call is cancelled: settles the ask at once. */
const CANCELLED = Symbol("call cancelled");
/** Ends a stream relay from outside (the call went away). */
const STOP = Symbol("stop relay");

type RelayMessage<R> = R | null | typeof STOP;

/** What every call's context shares: the node's system and the services' options. */
export interface CallHost {
  readonly system: ActorSystem;
  readonly options: ResolvedServicesOptions;
  /** A fresh name for a stream relay actor. */
  relayName(): string;
}

const cancelledCall = () => refuse(grpc.status.CANCELLED, "the call was cancelled");

/**
 * What a handler of the node's own services gets besides its call: asks whose timeout is the call's
 * deadline and which the call's cancellation cancels, and a relay of an actor's replies to a stream.
 */
export class CallContext {
  constructor(
    private readonly host: CallHost,
    readonly call: ServerSurfaceCall,
  ) {}

  private get system(): ActorSystem {
    return this.host.system;
  }

  private get options(): ResolvedServicesOptions {
    return this.host.options;
  }

  /** What is left of the call's deadline (`askTimeout` without one), at most `maxAskTimeout`, in ms. */
  get timeout(): number {
    return askTimeoutOf(this.call, this.system.scheduler.now(), this.options.askTimeout, this.options.maxAskTimeout);
  }

  /**
   * Asks the entity `entityId` of a sharded region (or, without an entity id, any actor) and resolves
   * with its reply: AskTimeoutError (DEADLINE_EXCEEDED) when the deadline passes first, CANCELLED
   * when the client cancels the call.
   */
  ask<const M, R = ReplyOf<M>>(region: ActorRef<ShardEnvelope<M>>, entityId: string, createRequest: (replyTo: ActorRef<R>) => NoInfer<M>): Promise<R>;
  ask<const M, R = ReplyOf<M>>(target: ActorRef<M>, createRequest: (replyTo: ActorRef<R>) => NoInfer<M>): Promise<R>;
  ask<R>(
    target: ActorRef<unknown>,
    entityIdOrRequest: string | ((replyTo: ActorRef<R>) => unknown),
    createRequest?: (replyTo: ActorRef<R>) => unknown,
  ): Promise<R> {
    const request = requestOf(entityIdOrRequest, createRequest);
    const call = this.call;
    if (call.cancelled) return Promise.reject(cancelledCall());
    let replyTo: ActorRef<R | typeof CANCELLED> | undefined;
    const cancel = (): void => {
      replyTo?.tell(CANCELLED);
    };
    call.once("cancelled", cancel);
    const asked = this.system.ask(
      target,
      (ref: ActorRef<R | typeof CANCELLED>) => {
        replyTo = ref;
        return request(ref);
      },
      { timeout: this.timeout },
    );
    return asked.then(
      (reply) => {
        call.off("cancelled", cancel);
        if (reply === CANCELLED) throw cancelledCall();
        return reply;
      },
      (error: unknown) => {
        call.off("cancelled", cancel);
        throw error;
      },
    );
  }

  /**
   * Sends a request whose `replyTo` gets this server-streaming (or bidi) call's responses: each reply
   * is written to the call, `null` ends the stream (the promise resolves). No reply for `timeout` ms
   * fails it with DEADLINE_EXCEEDED, a client that stops reading with RESOURCE_EXHAUSTED.
   */
  streamReplies<const M, R>(region: ActorRef<ShardEnvelope<M>>, entityId: string, createRequest: (replyTo: ActorRef<R | null>) => NoInfer<M>): Promise<void>;
  streamReplies<const M, R>(target: ActorRef<M>, createRequest: (replyTo: ActorRef<R | null>) => NoInfer<M>): Promise<void>;
  streamReplies<R>(
    target: ActorRef<unknown>,
    entityIdOrRequest: string | ((replyTo: ActorRef<R | null>) => unknown),
    createRequest?: (replyTo: ActorRef<R | null>) => unknown,
  ): Promise<void> {
    const request = requestOf(entityIdOrRequest, createRequest);
    const writer = this.call as Partial<grpc.ServerWritableStream<unknown, R>> & ServerSurfaceCall;
    if (typeof writer.write !== "function") return Promise.reject(new TypeError("streamReplies needs a server-streaming or bidi call"));
    if (writer.cancelled) return Promise.reject(cancelledCall());
    const write = writer.write.bind(writer);
    const backlog = (): number => writer.writableLength ?? 0;
    const { scheduler } = this.system;
    return new Promise<void>((resolve, reject) => {
      let idle: TimerHandle = undefined;
      let done = false;
      const finish = (error?: Error): void => {
        if (done) return;
        done = true;
        scheduler.clearTimeout(idle);
        writer.off("cancelled", onCancel);
        if (error === undefined) resolve();
        else reject(error);
      };
      const armIdle = (): void => {
        scheduler.clearTimeout(idle);
        const timeout = this.timeout;
        idle = scheduler.setTimeout(() => {
          relay.tell(STOP);
          finish(refuse(grpc.status.DEADLINE_EXCEEDED, `no reply to stream for ${timeout} ms`));
        }, timeout);
      };
      const relay = this.system.spawnSystemActor<RelayMessage<R>>(
        Behaviors.receive((_ctx, message) => {
          if (done || message === STOP) return Behaviors.stopped();
          if (message === null) {
            finish();
            return Behaviors.stopped();
          }
          if (backlog() > this.options.maxStreamBacklog) {
            finish(refuse(grpc.status.RESOURCE_EXHAUSTED, `${backlog()} responses are waiting: the client is not reading`));
            return Behaviors.stopped();
          }
          write(message);
          armIdle();
          return Behaviors.same();
        }),
        this.host.relayName(),
      );
      const onCancel = (): void => {
        relay.tell(STOP);
        finish(cancelledCall());
      };
      writer.once("cancelled", onCancel);
      armIdle();
      try {
        target.tell(request(relay));
      } catch (error) {
        relay.tell(STOP);
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }
}

/** The request factory of an ask: with an entity id, the entity's message in its ShardEnvelope. */
function requestOf<T>(entityIdOrRequest: string | ((replyTo: T) => unknown), createRequest: ((replyTo: T) => unknown) | undefined): (replyTo: T) => unknown {
  if (typeof entityIdOrRequest !== "string") return entityIdOrRequest;
  if (createRequest === undefined) throw new TypeError("an ask of an entity needs a request factory");
  return (replyTo) => new ShardEnvelope(entityIdOrRequest, createRequest(replyTo));
}
