// Raw gRPC baseline server (its own process). Prints {"port": n} once bound on 127.0.0.1;
// exits when its stdin ends (startChild's stop()).
import * as grpc from "@grpc/grpc-js";
import { emit } from "../harness.js";
import { countEnvelopes, RAW_SERVICE } from "./grpc-common.js";

type Duplex = grpc.ServerDuplexStream<Buffer, Buffer>;
type Count = (batch: Buffer) => number;

// The generated ts-proto decoder (gen/ belongs to the remoting work): optional, so only pushDecoded
// depends on it.
let decodeCount: Count | undefined;
let decodeError = "";
try {
  const { ConnectRequest } = await import("../../gen/casty/v1/remote.js");
  decodeCount = (b) => {
    const frame = ConnectRequest.decode(b).frame;
    if (frame?.$case !== "batch") throw new Error("expected a batch frame");
    return frame.value.envelopes.length;
  };
} catch (err) {
  decodeError = `generated decoder unavailable: ${err instanceof Error ? err.message : String(err)}`;
}

/** Counts envelopes until the client ends, then replies with the count as float64 LE. */
const counting = (count: Count | undefined) => (call: Duplex) => {
  if (!count) return call.destroy(new Error(decodeError));
  let n = 0;
  call.on("data", (b: Buffer) => (n += count(b)));
  call.on("end", () => {
    const reply = Buffer.alloc(8);
    reply.writeDoubleLE(n);
    call.write(reply);
    call.end();
  });
};

const server = new grpc.Server();
server.addService(RAW_SERVICE, {
  push: counting(countEnvelopes),
  pushDecoded: counting(decodeCount),
  // The client bounds the messages in flight, so the echo needs no backpressure of its own.
  echo: (call: Duplex) => {
    call.on("data", (b: Buffer) => call.write(b));
    call.on("end", () => call.end());
  },
});

server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  emit({ port });
});

const exit = (): void => {
  server.forceShutdown();
  process.exit(0);
};
process.stdin.on("end", exit).on("close", exit).resume();
setTimeout(exit, 600_000).unref(); // bounded even if the parent forgets us
