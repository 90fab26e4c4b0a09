// The grpc-js handler of each method kind around a user's handler: admission (the node is Up), the
// size of each request, the end of the call when the handler settles, and every throw, rejection and
// stream error contained in the call's status.
import * as grpc from "@grpc/grpc-js";
import type { ServerSurfaceCall } from "@grpc/grpc-js/build/src/server-call.js";
import type { Readable } from "node:stream";
import { deadlineOf } from "../gateway/deadline.js";
import { serviceError } from "../gateway/status.js";
import type { CallContext } from "./call-context.js";
import type { MethodKind } from "./definition.js";

/** A request over the node's `maxMessageSize`: deserialized as this, answered RESOURCE_EXHAUSTED. */
export const OVERSIZED = Symbol("oversized request");

/** What the handlers of one node's services share. */
export interface Served {
  readonly maxMessageSize: number;
  now(): number;
  /** Why a call is not served here now, if it is not. */
  admit(): grpc.ServiceError | undefined;
  context(call: ServerSurfaceCall): CallContext;
  /** The status a handler's failure answers (with a warn line for INTERNAL ones). */
  failure(method: string, call: ServerSurfaceCall, error: unknown): grpc.ServiceError;
  ended(method: string, code: grpc.status, startedAt: number): void;
  debug(message: string): void;
  warn(message: string): void;
}

type UserHandler = (call: never, ctx: CallContext) => unknown;
type GrpcHandler = grpc.UntypedHandleCall;

/** The grpc-js handler of `kind` around `handle`; `serialize` encodes a unary or client-streaming answer. */
export function methodHandler(served: Served, path: string, kind: MethodKind, handle: UserHandler, serialize: (value: unknown) => Buffer): GrpcHandler {
  switch (kind) {
    case "unary":
      return ((call: grpc.ServerUnaryCall<unknown, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const reply = replier(served, path, call, serialize, callback);
        if (reply === undefined) return;
        if (call.request === OVERSIZED) return reply.fail(tooLarge(served));
        settle(served, path, () => handle(call as never, served.context(call)), reply);
      }) as GrpcHandler;
    case "clientStream":
      return ((call: grpc.ServerReadableStream<unknown, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        const reply = replier(served, path, call, serialize, callback);
        if (reply === undefined) return;
        watchStream(served, path, call, () => reply.fail(tooLarge(served)));
        settle(served, path, () => handle(call as never, served.context(call)), reply);
      }) as GrpcHandler;
    case "serverStream":
    case "bidi":
      return ((call: grpc.ServerWritableStream<unknown, unknown>) => {
        const end = ender(served, path, call);
        if (end === undefined) return;
        // the handler may still write what it is working on: the status follows when it returns
        if (kind === "bidi") watchStream(served, path, call as unknown as grpc.ServerDuplexStream<unknown, unknown>, () => end.failOnReturn(tooLarge(served)));
        else if ((call as { request?: unknown }).request === OVERSIZED) return end.fail(tooLarge(served));
        settle(served, path, () => handle(call as never, served.context(call)), end);
      }) as GrpcHandler;
  }
}

interface Outcome {
  ok(value: unknown): void;
  fail(error: unknown): void;
}

/** Runs a handler; its return value, throw or promise settles `outcome` (which never throws). */
function settle(served: Served, path: string, run: () => unknown, outcome: Outcome): void {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    return outcome.fail(error);
  }
  if (!isThenable(result)) return outcome.ok(result);
  (result instanceof Promise ? result : Promise.resolve(result))
    .then(
      (value) => outcome.ok(value),
      (error: unknown) => outcome.fail(error),
    )
    .catch((error: unknown) => served.warn(`${path}: answering the call failed: ${String(error)}`));
}

/** Answers a unary or client-streaming call once; undefined when the call is refused at once. */
function replier(
  served: Served,
  path: string,
  call: grpc.ServerUnaryCall<unknown, Buffer> | grpc.ServerReadableStream<unknown, Buffer>,
  serialize: (value: unknown) => Buffer,
  callback: grpc.sendUnaryData<Buffer>,
): Outcome | undefined {
  const startedAt = served.now();
  const refusal = served.admit();
  if (refusal !== undefined) {
    served.ended(path, refusal.code, startedAt);
    callback(refusal);
    return undefined;
  }
  let answered = false;
  const fail = (error: unknown): void => {
    if (answered) return;
    answered = true;
    const status = served.failure(path, call, error);
    served.ended(path, outcomeCode(served, call, status.code), startedAt);
    callback(status);
  };
  return {
    ok(response) {
      if (answered) return;
      let bytes: Buffer;
      try {
        bytes = serialize(response);
      } catch (error) {
        return fail(error);
      }
      if (bytes.length > served.maxMessageSize) return fail(tooLarge(served, bytes.length, "response"));
      answered = true;
      served.ended(path, outcomeCode(served, call, grpc.status.OK), startedAt);
      callback(null, bytes);
    },
    fail,
  };
}

/** Ends a server-streaming or bidi call once; undefined when the call is refused at once. */
function ender(
  served: Served,
  path: string,
  call: grpc.ServerWritableStream<unknown, unknown>,
): (Outcome & { failOnReturn(error: unknown): void }) | undefined {
  const startedAt = served.now();
  const refusal = served.admit();
  if (refusal !== undefined) {
    served.ended(path, refusal.code, startedAt);
    call.emit("error", refusal);
    return undefined;
  }
  let ended = false;
  let failure: unknown;
  const open = (): boolean => !call.cancelled && !call.writableEnded;
  const fail = (error: unknown): void => {
    if (ended) return;
    ended = true;
    const status = served.failure(path, call, error);
    served.ended(path, outcomeCode(served, call, status.code), startedAt);
    if (open()) call.emit("error", status);
  };
  return {
    failOnReturn(error) {
      failure ??= error;
    },
    ok() {
      if (failure !== undefined) return fail(failure);
      if (ended) return;
      ended = true;
      served.ended(path, outcomeCode(served, call, grpc.status.OK), startedAt);
      if (open()) call.end();
    },
    fail,
  };
}

/**
 * Guards a request stream: its errors are logged, not thrown; an oversized request calls `oversized`
 * and ends the stream for the handler, which then reads no more. A `for await` over it leaves the
 * stream open when the loop ends, so a bidi call can still answer (Node destroys it by default).
 */
function watchStream(served: Served, path: string, call: Readable & ServerSurfaceCall, oversized: () => void): void {
  call.on("error", (error: Error) => served.debug(`${path} stream from ${call.getPeer()} ended: ${error.message}`));
  call[Symbol.asyncIterator] = () => call.iterator({ destroyOnReturn: false });
  const push = call.push.bind(call);
  let dropped = false;
  call.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
    if (dropped) return false;
    if (chunk !== OVERSIZED) return push(chunk, encoding);
    dropped = true;
    oversized();
    push(null);
    return false;
  };
}

/**
 * How close to its deadline a call that went away counts as ended by it: grpc-js's deadline timer may
 * fire a few ms before its own deadline by the clock, and the scheduler's clock is not Date's.
 */
const DEADLINE_SLACK_MS = 50;

/**
 * The code a call ended with: `code`, unless the call went away first, by its deadline (which grpc-js
 * enforces too, so it may beat the ask's own timeout) or cancelled by the client.
 */
function outcomeCode(served: Served, call: ServerSurfaceCall, code: grpc.status): grpc.status {
  if (!call.cancelled) return code;
  return deadlineOf(call) - served.now() <= DEADLINE_SLACK_MS ? grpc.status.DEADLINE_EXCEEDED : grpc.status.CANCELLED;
}

function tooLarge(served: Served, size?: number, what = "request"): grpc.ServiceError {
  const details = `a ${size === undefined ? "" : `${size}-byte `}${what} is over the ${served.maxMessageSize}-byte message size`;
  return serviceError(grpc.status.RESOURCE_EXHAUSTED, details);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as Partial<PromiseLike<unknown>> | undefined)?.then === "function";
}
