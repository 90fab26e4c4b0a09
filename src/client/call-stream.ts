import * as grpc from "@grpc/grpc-js";
import { MultiplexResponse, type MultiplexResult } from "../../gen/casty/v1/gateway.js";
import type { Serialization } from "../serialization/serialization.js";
import { FrameWriter, MUX } from "../gateway/multiplex-wire.js";
import { ClusterClientError } from "./errors.js";

const MULTIPLEX_PATH = "/casty.v1.GatewayService/Multiplex";
const identity = (frame: Buffer): Buffer => frame;
const decodeResponse = (frame: Buffer): MultiplexResponse => MultiplexResponse.decode(frame);
const NO_METADATA = new grpc.Metadata();

/** A tell or an ask on its way: what it takes to send it (again) and to settle it. */
export interface StreamedCall {
  readonly ask: boolean;
  readonly region: string;
  readonly entityId: string;
  readonly message: unknown;
  readonly timeout: number;
  readonly deadline: number;
  /** The caller's W3C trace context, when it traces. */
  readonly traceparent: string | undefined;
  /** Its id on `stream`, the stream it was last sent on. */
  id: number;
  stream: CallStream | undefined;
  settled: boolean;
}

/** What a stream reports to the client it belongs to. */
export interface CallStreamHost {
  result(call: StreamedCall, result: MultiplexResult): void;
  /** The stream failed: `calls` were sent on it and have no result. */
  broken(stream: CallStream, calls: StreamedCall[], error: grpc.ServiceError): void;
}

const oversize = (bytes: number, limit: number): Error =>
  new ClusterClientError(grpc.status.RESOURCE_EXHAUSTED, `a ${bytes}-byte message is over the ${limit}-byte message size`);

/** One Multiplex stream to one contact point, and the calls waiting on it by id. */
export class CallStream {
  private readonly pending = new Map<number, StreamedCall>();
  private readonly frames: FrameWriter;
  private readonly call: grpc.ClientDuplexStream<Buffer, MultiplexResponse>;
  private nextId = 0;
  private open = true;

  constructor(
    readonly index: number,
    channel: grpc.Client,
    serialization: Serialization,
    maxMessageSize: number,
    private readonly host: CallStreamHost,
  ) {
    const call = channel.makeBidiStreamRequest(MULTIPLEX_PATH, identity, decodeResponse, NO_METADATA);
    this.call = call;
    this.frames = new FrameWriter(serialization, maxMessageSize, (frame, done) => call.write(frame, done));
    call.on("data", (response: MultiplexResponse) => this.received(response));
    call.on("error", (error: grpc.ServiceError) => this.failed(error));
    call.on("status", (status: grpc.StatusObject) => {
      // an end without an error (a peer that is not a casty node): nothing more comes
      if (status.code === grpc.status.OK) this.failed(Object.assign(new Error("the Multiplex stream ended"), { ...status, code: grpc.status.UNAVAILABLE }));
    });
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Encodes `call` into this turn's frame; throws (sending nothing) when its message cannot go. */
  send(call: StreamedCall): void {
    const id = (this.nextId = (this.nextId + 1) >>> 0 || 1);
    const writer = this.frames.begin(id);
    try {
      writer
        .uint32(call.ask ? MUX.ask : MUX.tell)
        .fork()
        .uint32(MUX.region)
        .string(call.region)
        .uint32(MUX.entityId)
        .string(call.entityId);
      this.frames.any(MUX.message, call.message, oversize);
      writer.join().uint32(MUX.timeout).uint32(call.timeout);
      if (call.traceparent !== undefined) writer.uint32(MUX.traceparent).string(call.traceparent);
    } catch (error) {
      this.frames.abort();
      throw error;
    }
    this.frames.commit();
    call.id = id;
    call.stream = this;
    this.pending.set(id, call);
  }

  /** The caller stops waiting for `call`: the node drops it and sends no result. */
  cancel(call: StreamedCall): void {
    if (!this.pending.delete(call.id) || !this.open) return;
    this.frames.begin(call.id).uint32(MUX.cancel).fork().join();
    this.frames.commit();
  }

  /** `call` expired: its result, if one still comes, is ignored. */
  forget(call: StreamedCall): void {
    this.pending.delete(call.id);
  }

  close(): void {
    this.call.cancel();
  }

  private received(response: MultiplexResponse): void {
    for (const result of response.results) {
      const call = this.pending.get(result.id);
      if (call === undefined) continue; // expired or cancelled meanwhile
      this.pending.delete(result.id);
      this.host.result(call, result);
    }
  }

  private failed(error: grpc.ServiceError): void {
    if (!this.open) return;
    this.open = false;
    this.frames.close("drop");
    const calls = [...this.pending.values()];
    this.pending.clear();
    this.host.broken(this, calls, error);
  }
}
