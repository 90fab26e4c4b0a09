// The shape of a service as grpc-js takes it: a ts-proto (`outputServices=grpc-js`) definition, whose
// literal `requestStream`/`responseStream` flags type each handler, or one from `@grpc/proto-loader`
// (flags known only at run time: untyped handlers).
import type * as grpc from "@grpc/grpc-js";
import type { CallContext } from "./call-context.js";

/** One method of a service definition. */
export interface MethodShape {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly requestDeserialize: (bytes: Buffer) => unknown;
  readonly responseSerialize: (value: never) => Buffer;
  readonly originalName?: string;
}

export type ServiceShape = Readonly<Record<string, MethodShape>>;

type RequestOf<D> = D extends { readonly requestDeserialize: (bytes: Buffer) => infer Req } ? Req : never;
type ResponseOf<D> = D extends { readonly responseSerialize: (value: infer Res) => Buffer } ? Res : never;

/** A request stream whose `for await` yields typed requests (a grpc-js Readable yields `any`). */
export interface RequestStream<Req> {
  [Symbol.asyncIterator](): AsyncIterator<Req>;
}

/** Answers a unary call with its response (or a promise of it); a throw or rejection is the call's status. */
export type UnaryHandler<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, ctx: CallContext) => Res | Promise<Res>;
/** Writes the responses; the call ends when the handler returns (or its promise resolves). */
export type ServerStreamHandler<Req, Res> = (call: grpc.ServerWritableStream<Req, Res>, ctx: CallContext) => void | Promise<void>;
/** Reads the requests (`for await (const request of call)`) and answers with one response. */
export type ClientStreamHandler<Req, Res> = (call: RequestStream<Req> & grpc.ServerReadableStream<Req, Res>, ctx: CallContext) => Res | Promise<Res>;
/** Reads and writes; the call ends when the handler returns (or its promise resolves). */
export type BidiHandler<Req, Res> = (call: RequestStream<Req> & grpc.ServerDuplexStream<Req, Res>, ctx: CallContext) => void | Promise<void>;

/** A handler of a definition whose method kinds are known only at run time (`@grpc/proto-loader`). */
export type UntypedHandler = (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- proto-loader types no message
  call: grpc.ServerUnaryCall<any, any> & grpc.ServerDuplexStream<any, any>,
  ctx: CallContext,
) => unknown;

export type HandlerOf<D> = D extends { readonly requestStream: false; readonly responseStream: false }
  ? UnaryHandler<RequestOf<D>, ResponseOf<D>>
  : D extends { readonly requestStream: false; readonly responseStream: true }
    ? ServerStreamHandler<RequestOf<D>, ResponseOf<D>>
    : D extends { readonly requestStream: true; readonly responseStream: false }
      ? ClientStreamHandler<RequestOf<D>, ResponseOf<D>>
      : D extends { readonly requestStream: true; readonly responseStream: true }
        ? BidiHandler<RequestOf<D>, ResponseOf<D>>
        : UntypedHandler;

/** A handler for every method of `S`, under the method's key (for proto-loader, its name or `originalName`). */
export type ServiceImplementation<S extends ServiceShape> = { readonly [K in keyof S]: HandlerOf<S[K]> };

export type MethodKind = "unary" | "serverStream" | "clientStream" | "bidi";

export function kindOf(method: MethodShape): MethodKind {
  if (method.requestStream) return method.responseStream ? "bidi" : "clientStream";
  return method.responseStream ? "serverStream" : "unary";
}

/** The full name of the service a method path belongs to: "/bank.v1.AccountService/GetBalance" → "bank.v1.AccountService". */
export function serviceNameOf(path: string): string {
  return path.slice(1, path.lastIndexOf("/"));
}
