// The raw baseline of the gateway bench: a grpc-js unary service that answers every request with its
// own bytes (identity serializers), and a client call for it, with a deadline as the gateway's calls have.
import * as grpc from "@grpc/grpc-js";

const identity = (b: Buffer): Buffer => b;
export const ECHO_SERVICE = {
  echo: {
    path: "/casty.bench.Echo/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} satisfies grpc.ServiceDefinition;

/** Serves the echo service on `server` (the node's own, so that both share its port and event loop). */
export function addEcho(server: grpc.Server): void {
  server.addService(ECHO_SERVICE, { echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, call.request) });
}

export function echoCall(address: string): { call: (payload: Buffer) => Promise<Buffer>; close(): void } {
  const Client = grpc.makeGenericClientConstructor(ECHO_SERVICE, "Echo");
  const client = new Client(address, grpc.credentials.createInsecure());
  const echo = (
    client as unknown as Record<string, (r: Buffer, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Buffer) => void) => void>
  ).echo.bind(client);
  const metadata = new grpc.Metadata();
  return {
    call: (payload) => new Promise((resolve, reject) => echo(payload, metadata, { deadline: Date.now() + 10_000 }, (e, r) => (e ? reject(e) : resolve(r)))),
    close: () => client.close(),
  };
}
