import * as grpc from "@grpc/grpc-js";
import type { Span } from "@opentelemetry/api";
import type { Logger } from "../actor/logger.js";
import { withSpan } from "../actor/tracing.js";
import type { Serialization } from "../serialization/index.js";
import type { AskRequest, MultiplexCall, MultiplexRequest, TellRequest } from "../../gen/casty/v1/gateway.js";
import { FrameWriter, MUX } from "./multiplex-wire.js";
import { NOT_PROCESSED, refuse, statusOf } from "./status.js";

export type MultiplexStream = grpc.ServerDuplexStream<MultiplexRequest, Buffer>;

/** What a Multiplex stream needs of its gateway: the calls themselves, and their admission. */
export interface MultiplexHost {
  readonly serialization: Serialization;
  readonly maxMessageSize: number;
  readonly log: Logger;
  /** Takes a call (counted in flight until `done`), or says why not: not Up, leaving, too many in flight. */
  take(): grpc.ServiceError | undefined;
  done(): void;
  tell(request: TellRequest): void;
  /** Sends the ask; resolves with the reply as it came (not yet encoded). */
  ask(request: AskRequest, timeout: number): Promise<unknown>;
  /** The ask timeout of a call that waits `ms` (0: the default). */
  askTimeout(ms: number): number;
  /** Counts a call answered on the stream, as its unary method would be counted. */
  answered(method: CallMethod, code: grpc.status): void;
  /** The call's server span, when a tracer provider records it. */
  span(method: "tell" | "ask", traceparent: string): Span | undefined;
}

/** The unary method a call on the stream stands for ("multiplex": a frame with neither). */
export type CallMethod = "tell" | "ask" | "multiplex";

const oversize = (bytes: number, limit: number): Error =>
  refuse(grpc.status.RESOURCE_EXHAUSTED, `the ${bytes}-byte answer is over the ${limit}-byte message size`);
const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * One client's Multiplex stream: each call in its request frames is handled as the unary call of its
 * kind would be, and its result goes into the response frame of the turn it is ready in. An ask still
 * in flight when the stream ends is answered to no one.
 */
export class MultiplexSession {
  private readonly frames: FrameWriter;
  /** Asks in flight by call id, each with the sequence number of its start (ids may be reused). */
  private readonly asks = new Map<number, number>();
  private started = 0;
  private open = true;
  /** Set once the client is done sending ("ok") or the node stops serving: the stream ends when its last ask is answered. */
  private ending: grpc.ServiceError | "ok" | undefined;

  constructor(
    private readonly host: MultiplexHost,
    private readonly call: MultiplexStream,
    private readonly onClosed: () => void,
  ) {
    this.frames = new FrameWriter(host.serialization, host.maxMessageSize, (frame, done) => call.write(frame, done));
    call.on("data", (request: MultiplexRequest) => this.received(request));
    call.on("end", () => this.end("ok")); // the client sent its last call: answer the asks in flight, then end
    call.on("cancelled", () => this.closed());
    call.on("error", () => this.closed());
  }

  /**
   * Ends the stream once every ask on it is answered: with OK when the client sent its last call, or
   * with `refusal` when the node stops serving (every call it took then has its result, so a client
   * may send the calls left without one elsewhere).
   */
  end(refusal: grpc.ServiceError | "ok"): void {
    if (this.ending !== undefined && refusal === "ok") return;
    this.ending = refusal;
    if (this.asks.size === 0) this.finish();
  }

  private finish(): void {
    if (!this.open) return;
    this.frames.close("send");
    this.closed();
    if (this.ending === "ok") this.call.end();
    else this.call.emit("error", this.ending);
  }

  private received(request: MultiplexRequest): void {
    try {
      for (const call of request.calls) this.handle(call);
    } catch (error) {
      this.host.log.warn(`a gateway Multiplex frame from ${this.call.getPeer()} failed: ${reasonOf(error)}`);
    }
  }

  private handle(call: MultiplexCall): void {
    const { id, kind } = call;
    if (kind?.$case === "cancel") return void this.asks.delete(id);
    if (kind === undefined) return this.failed(id, "multiplex", refuse(grpc.status.INVALID_ARGUMENT, "a call needs a tell, an ask or a cancel"));
    const method = kind.$case;
    if (this.asks.has(id)) return this.failed(id, method, refuse(grpc.status.INVALID_ARGUMENT, `call id ${id} is taken by an ask in flight`));
    const refusal = this.host.take();
    if (refusal !== undefined) return this.refused(id, method, refusal);
    const span = this.host.span(method, call.traceparent);
    if (method === "tell") {
      try {
        withSpan(span, () => this.host.tell(kind.value));
        this.told(id);
      } catch (error) {
        this.failed(id, method, error);
      } finally {
        span?.end();
        this.host.done();
      }
      return;
    }
    let asked: Promise<unknown>;
    try {
      asked = withSpan(span, () => this.host.ask(kind.value, this.host.askTimeout(call.timeoutMs)));
    } catch (error) {
      this.host.done();
      span?.end();
      return this.failed(id, method, error);
    }
    const started = ++this.started;
    this.asks.set(id, started);
    asked.then(
      (reply) => {
        this.host.done();
        span?.end();
        if (this.settles(id, started)) this.replied(id, reply);
      },
      (error: unknown) => {
        this.host.done();
        span?.end();
        if (this.settles(id, started)) this.failed(id, method, error);
      },
    );
  }

  /** Whether the ask `started` with `id` is still awaited (not cancelled, the stream open); forgets it. */
  private settles(id: number, started: number): boolean {
    if (this.asks.get(id) !== started) return false;
    this.asks.delete(id);
    if (this.ending !== undefined && this.asks.size === 0) queueMicrotask(() => this.finish()); // after this result is written
    return true;
  }

  private told(id: number): void {
    this.frames.begin(id).uint32(MUX.tell).fork().join();
    this.frames.commit();
    this.host.answered("tell", grpc.status.OK);
  }

  private replied(id: number, reply: unknown): void {
    const writer = this.frames.begin(id).uint32(MUX.ask).fork();
    try {
      this.frames.any(MUX.reply, reply, oversize);
    } catch (error) {
      this.frames.abort();
      return this.failed(id, "ask", error);
    }
    writer.join();
    this.frames.commit();
    this.host.answered("ask", grpc.status.OK);
  }

  private failed(id: number, method: CallMethod, error: unknown): void {
    const code = statusOf(error);
    if (code === grpc.status.INTERNAL) this.host.log.warn(`a gateway call from ${this.call.getPeer()} failed: ${reasonOf(error)}`);
    this.error(id, method, code, reasonOf(error), false);
  }

  private refused(id: number, method: CallMethod, refusal: grpc.ServiceError): void {
    this.error(id, method, refusal.code, refusal.details, refusal.metadata.get(NOT_PROCESSED)[0] === "1");
  }

  private error(id: number, method: CallMethod, code: grpc.status, message: string, notProcessed: boolean): void {
    this.host.answered(method, code);
    const writer = this.frames.begin(id).uint32(MUX.error).fork().uint32(MUX.errorCode).int32(code).uint32(MUX.errorMessage).string(message);
    if (notProcessed) writer.uint32(MUX.errorNotProcessed).bool(true);
    writer.join();
    this.frames.commit();
  }

  private closed(): void {
    if (!this.open) return;
    this.open = false;
    this.asks.clear();
    this.frames.close("drop");
    this.onClosed();
  }
}
