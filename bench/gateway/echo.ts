// The raw baseline of the gateway bench: a grpc-js unary service that answers every request with its
// own bytes (identity serializers), and a client call for it.
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

export async function startEcho(): Promise<{ address: string; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(ECHO_SERVICE, { echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, call.request) });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { address: `127.0.0.1:${port}`, server };
}

export function echoCall(address: string): { call: (payload: Buffer) => Promise<Buffer>; close(): void } {
  const Client = grpc.makeGenericClientConstructor(ECHO_SERVICE, "Echo");
  const client = new Client(address, grpc.credentials.createInsecure());
  const echo = (client as unknown as Record<string, (r: Buffer, cb: (e: grpc.ServiceError | null, r: Buffer) => void) => void>).echo!.bind(client);
  return { call: (payload) => new Promise((resolve, reject) => echo(payload, (e, r) => (e ? reject(e) : resolve(r)))), close: () => client.close() };
}
