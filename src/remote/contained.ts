// Every gRPC handler of a node runs through these, so a frame that makes a handler throw closes that
// one call with a status and a log line; it never reaches the process (where it would be fatal).
import * as grpc from "@grpc/grpc-js";
import type { Logger } from "../actor/logger.js";

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Ends a server stream with `code`: grpc-js turns an emitted error into the call's status. */
export function closeStream(call: grpc.ServerDuplexStream<unknown, unknown>, code: grpc.status, details: string): void {
  call.emit("error", { code, details });
}

/**
 * Wires a bidirectional server stream: `handle` runs for each frame, and a throw closes the stream
 * with INVALID_ARGUMENT and a warn line. The stream's own errors are logged at debug level (peers
 * going away is routine); its end is answered with an end.
 */
export function serveStream<Req, Res>(call: grpc.ServerDuplexStream<Req, Res>, log: Logger, what: string, handle: (frame: Req) => void): void {
  let closed = false;
  call.on("data", (frame: Req) => {
    if (closed) return;
    try {
      handle(frame);
    } catch (error) {
      closed = true;
      log.warn(`closing the ${what} stream from ${call.getPeer()}: ${reasonOf(error)}`);
      closeStream(call, grpc.status.INVALID_ARGUMENT, reasonOf(error));
    }
  });
  call.on("end", () => call.end());
  call.on("error", (error: Partial<grpc.StatusObject> & Error) => log.debug(`${what} stream from ${call.getPeer()} ended: ${error.details ?? error.message}`));
  call.on("cancelled", () => log.debug(`${what} stream from ${call.getPeer()} was cancelled by the peer`));
}

/** A unary handler whose throw answers INVALID_ARGUMENT (with a warn line) instead of escaping. */
export function serveUnary<Req, Res>(log: Logger, what: string, handle: (request: Req) => Res | grpc.ServiceError): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    let result: Res | grpc.ServiceError;
    try {
      result = handle(call.request);
    } catch (error) {
      log.warn(`refusing a ${what} call from ${call.getPeer()}: ${reasonOf(error)}`);
      callback({ code: grpc.status.INVALID_ARGUMENT, details: reasonOf(error) });
      return;
    }
    if (isServiceError(result)) callback(result);
    else callback(null, result);
  };
}

/** A status to answer a unary call with, instead of a response. */
export function failure(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}

function isServiceError(value: unknown): value is grpc.ServiceError {
  return value instanceof Error && typeof (value as Partial<grpc.ServiceError>).code === "number";
}

/** Runs a client stream's listener; a throw (a peer's malformed answer) cancels that stream with a warn line. */
export function guardListener<T>(log: Logger, what: string, cancel: () => void, listener: (value: T) => void): (value: T) => void {
  return (value) => {
    try {
      listener(value);
    } catch (error) {
      log.warn(`dropping the ${what} stream: ${reasonOf(error)}`);
      cancel();
    }
  };
}
