// The client process of the gateway bench: ClusterClient asks and tells to the member's gateway (on its
// Multiplex stream), unary Ask calls of the generated stub (as other languages make them), and raw
// grpc-js unary echo calls, each sequential and with 256 in flight.
//   node --import tsx bench/gateway/client.ts --node=host:port --echo=host:port --ids=entity-1,entity-4,…
import * as grpc from "@grpc/grpc-js";
import { GatewayServiceClient } from "../../gen/casty/v1/gateway.js";
import { ClusterClient, type ActorRef } from "../../src/index.js";
import { argNumber, argString, emit } from "../harness.js";
import { REGION } from "../sharding/entity.js";
import { echoCall } from "./echo.js";
import { load } from "./load.js";

const window = argNumber("window", 256);
const ids = argString("ids", "entity-0").split(",");
const client = await ClusterClient.connect({ contactPoints: [argString("node", "")], timeout: 10_000 });
const echo = echoCall(argString("echo", ""));
const payload = Buffer.from(client.encode({ kind: "ping", n: 1 }).value); // a request of the same size
const stub = new GatewayServiceClient(argString("node", ""), grpc.credentials.createInsecure());
const metadata = new grpc.Metadata();
const unaryAsk = (n: number): Promise<unknown> => {
  const request = { region: REGION, entityId: ids[n % ids.length], message: client.encode({ kind: "ping", n }) };
  return new Promise((resolve, reject) => stub.ask(request, metadata, { deadline: Date.now() + 10_000 }, (e, r) => (e ? reject(e) : resolve(r))));
};
try {
  const ask = await load(
    (n) => client.ask<{ n: number }>(REGION, ids[n % ids.length], (replyTo: ActorRef<{ n: number }>) => ({ kind: "ping", n, replyTo })),
    window,
  );
  const tell = await load((n) => client.tell(REGION, ids[n % ids.length], { kind: "tick" }), window);
  const unary = await load(unaryAsk, window);
  const raw = await load(() => echo.call(payload), window);
  emit({ ask, tell, unary, raw });
} finally {
  client.close();
  stub.close();
  echo.close();
}
process.exit(0);
