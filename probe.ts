import * as grpc from "@grpc/grpc-js";
import { ClusteredActorSystem, Gateway, ClusterClient, Behaviors, type ActorRef } from "./src/index.js";
import { entity, REGION } from "./bench/sharding/entity.js";
import { startEcho, echoCall, ECHO_SERVICE } from "./bench/gateway/echo.js";
import { stub } from "./test/gateway/fixtures/stub.js";
const system = await ClusteredActorSystem.start({ name: "gw", host: "127.0.0.1", port: 0, logLevel: "error", seedNodes: [] });
system.spawn(Behaviors.sharded(entity("x"), { numShards: 100 }), REGION);
Gateway.serve(system); await system.cluster.whenUp(10000);
system.server.addService(ECHO_SERVICE, { echo: (call: any, cb: any) => cb(null, call.request) });
const client = await ClusterClient.connect({ contactPoints: [system.selfAddress] });
const echo = echoCall(system.selfAddress);
const raw = stub(system.selfAddress);
const Client = grpc.makeGenericClientConstructor(ECHO_SERVICE, "Echo");
const ec = new Client(system.selfAddress, grpc.credentials.createInsecure()) as any;
const payload = Buffer.from(client.encode({ kind: "ping", n: 1 }).value);
async function time(name: string, f: (i: number) => Promise<unknown>) {
  for (let i = 0; i < 300; i++) await f(i);
  const n = 1500; const t = performance.now();
  for (let i = 0; i < n; i++) await f(i);
  console.log(name.padEnd(30), ((performance.now() - t) / n * 1000).toFixed(0), "µs");
}
for (let r = 0; r < 2; r++) {
await time("echo same server", () => echo.call(payload));
await time("echo + deadline", () => new Promise((res, rej) => ec.echo(payload, new grpc.Metadata(), { deadline: Date.now() + 5000 }, (e: any, v: any) => e ? rej(e) : res(v))));
await time("raw stub getClusterState", () => new Promise((res, rej) => raw.getClusterState({}, (e, v) => e ? rej(e) : res(v))));
await time("raw stub tell", () => new Promise((res, rej) => raw.tell({ region: REGION, entityId: "e1", message: client.encode({ kind: "tick" }) }, (e, v) => e ? rej(e) : res(v))));
await time("raw stub ask", (n) => new Promise((res, rej) => raw.ask({ region: REGION, entityId: "e1", message: client.encode({ kind: "ping", n }) }, (e, v) => e ? rej(e) : res(v))));
await time("client tell", () => client.tell(REGION, "e1", { kind: "tick" }));
await time("client ask", (n) => client.ask(REGION, "e1", (replyTo: ActorRef<unknown>) => ({ kind: "ping", n, replyTo })));
}
client.close(); raw.close(); echo.close(); ec.close(); await system.shutdown();
