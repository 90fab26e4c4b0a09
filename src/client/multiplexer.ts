import { context } from "@opentelemetry/api";
import * as grpc from "@grpc/grpc-js";
import type { MultiplexResult } from "../../gen/casty/v1/gateway.js";
import type { Any } from "../../gen/google/protobuf/any.js";
import { traceparentOf } from "../actor/tracing.js";
import type { Serialization } from "../serialization/serialization.js";
import { NOT_PROCESSED } from "../gateway/status.js";
import { CallStream, type CallStreamHost, type StreamedCall } from "./call-stream.js";
import type { ContactPoints } from "./contact-points.js";
import { Deadlines } from "../actor/deadlines.js";
import { callError, ClusterClientError } from "./errors.js";
import type { InFlight } from "./in-flight.js";
import type { ResolvedClientOptions } from "./options.js";
import type { CallOptions } from "./rpc.js";

interface PendingCall extends StreamedCall {
  resolve(reply: Any | undefined): void;
  reject(error: Error): void;
  /** Sends left for a call a node refused untouched. */
  attempts: number;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Tells and asks of a ClusterClient on Multiplex streams, one per contact point, each call with its
 * own deadline and result. A call a node refused untouched (not Up, shutting down: `not_processed`)
 * goes to the next contact point; no other call is sent twice.
 */
export class Multiplexer implements CallStreamHost {
  private readonly streams: (CallStream | undefined)[] = [];
  private readonly deadlines: Deadlines<PendingCall>;
  private closed = false;

  constructor(
    private readonly options: ResolvedClientOptions,
    private readonly contacts: ContactPoints,
    private readonly serialization: Serialization,
    private readonly inFlight: InFlight,
  ) {
    this.deadlines = new Deadlines(options.scheduler, (call) => this.expired(call));
  }

  /** Sends a tell or an ask (`message` with its reply placeholder removed); resolves with an ask's reply. */
  call(ask: boolean, region: string, entityId: string, message: unknown, options: CallOptions | undefined): Promise<Any | undefined> {
    const refusal = this.closed ? new ClusterClientError(grpc.status.CANCELLED, "the client is closed") : this.inFlight.refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(aborted(ask));
    const timeout = options?.timeout ?? this.options.timeout;
    return new Promise<Any | undefined>((resolve, reject) => {
      const call: PendingCall = {
        ask,
        region,
        entityId,
        message,
        timeout,
        deadline: this.options.scheduler.now() + timeout,
        traceparent: traceparentOf(context.active()),
        id: 0,
        stream: undefined,
        settled: false,
        resolve,
        reject,
        attempts: this.options.retries,
        signal,
        onAbort: undefined,
      };
      try {
        this.streamNow().send(call);
      } catch (error) {
        return reject(error instanceof Error ? error : new Error(String(error)));
      }
      this.inFlight.count++;
      this.deadlines.add(timeout, call);
      if (signal !== undefined) {
        call.onAbort = () => {
          call.stream?.cancel(call);
          this.settle(call, undefined, aborted(ask));
        };
        signal.addEventListener("abort", call.onAbort, { once: true });
      }
    });
  }

  result(call: PendingCall, result: MultiplexResult): void {
    const outcome = result.result;
    if (outcome?.$case === "error") {
      const { message, notProcessed } = outcome.value;
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- a status code from the wire
      const code: grpc.status = outcome.value.code;
      if (code === grpc.status.UNAVAILABLE) this.contacts.failed(call.stream!.index);
      if (notProcessed && this.resend(call)) return;
      return this.settle(call, undefined, callError(call.ask ? "ask" : "tell", code, message, call.timeout));
    }
    this.settle(call, outcome?.$case === "ask" ? outcome.value.reply : undefined, undefined);
  }

  broken(stream: CallStream, calls: PendingCall[], error: grpc.ServiceError): void {
    if (this.streams[stream.index] === stream) this.streams[stream.index] = undefined;
    if (this.closed) return;
    this.contacts.failed(stream.index);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- errors made by the client itself carry no metadata
    const untouched = error.metadata?.get(NOT_PROCESSED)[0] === "1"; // the node answered everything it took
    for (const call of calls) {
      if (untouched && this.resend(call)) continue;
      const code = error.code === grpc.status.CANCELLED ? grpc.status.UNAVAILABLE : error.code;
      this.settle(call, undefined, callError(call.ask ? "ask" : "tell", code, error.details || error.message, call.timeout));
    }
  }

  /** Closes every stream; calls waiting reject. */
  close(): void {
    this.closed = true;
    for (const stream of this.streams.splice(0)) stream?.close();
    for (const call of this.deadlines.clear()) this.settle(call, undefined, new ClusterClientError(grpc.status.CANCELLED, "the client is closed"));
  }

  /** Sends `call` again on the current contact point, if it has attempts and time left. */
  private resend(call: PendingCall): boolean {
    if (call.attempts === 0 || this.closed || this.options.scheduler.now() >= call.deadline) return false;
    call.attempts--;
    try {
      this.streamNow().send(call);
    } catch (error) {
      this.settle(call, undefined, error instanceof Error ? error : new Error(String(error)));
    }
    return true;
  }

  private streamNow(): CallStream {
    const index = this.contacts.index;
    let stream = this.streams[index];
    if (stream === undefined || !stream.isOpen) {
      stream = new CallStream(index, this.contacts.channel(index), this.serialization, this.options.maxMessageSize, this);
      this.streams[index] = stream;
    }
    return stream;
  }

  private expired(call: PendingCall): void {
    call.stream?.forget(call);
    this.settle(call, undefined, callError(call.ask ? "ask" : "tell", grpc.status.DEADLINE_EXCEEDED, "", call.timeout));
  }

  private settle(call: PendingCall, reply: Any | undefined, error: Error | undefined): void {
    if (call.settled) return;
    call.settled = true;
    this.inFlight.count--;
    this.deadlines.settled(call.timeout, call);
    if (call.onAbort !== undefined) call.signal!.removeEventListener("abort", call.onAbort);
    if (error === undefined) call.resolve(reply);
    else call.reject(error);
  }
}

const aborted = (ask: boolean): ClusterClientError => new ClusterClientError(grpc.status.CANCELLED, `the ${ask ? "ask" : "tell"} was cancelled`);
