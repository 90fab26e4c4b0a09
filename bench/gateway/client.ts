// The client process of the gateway bench: ClusterClient asks and tells to the member's gateway, and
// raw grpc-js unary echo calls, each sequential and with 256 in flight.
//   node --import tsx bench/gateway/client.ts --node=host:port --echo=host:port --ids=entity-1,entity-4,…
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
try {
  const ask = await load(
    (n) => client.ask<{ n: number }>(REGION, ids[n % ids.length], (replyTo: ActorRef<{ n: number }>) => ({ kind: "ping", n, replyTo })),
    window,
  );
  const tell = await load((n) => client.tell(REGION, ids[n % ids.length], { kind: "tick" }), window);
  const raw = await load(() => echo.call(payload), window);
  emit({ ask, tell, raw });
} finally {
  client.close();
  echo.close();
}
process.exit(0);
