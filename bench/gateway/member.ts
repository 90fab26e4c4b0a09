// Gateway bench: this process is a one-node cluster (the bench's sharded entities, the gateway, and a raw
// grpc-js unary echo service on the same server); it measures its own sharded asks, then a separate client process
// (gateway/client.ts) measures ClusterClient asks and tells and raw unary echo calls.
import { Behaviors, Gateway } from "../../src/index.js";
import { emit, runChild, type Row } from "../harness.js";
import { startNode, shutdownAll } from "../cluster/common.js";
import { entity, NUM_SHARDS, ping, REGION } from "../sharding/entity.js";
import { addEcho } from "./echo.js";
import { load, type Load } from "./load.js";

const WINDOW = 256;
const ENTITIES = 1000;
const system = await startNode("gateway", []);
const region = system.spawn(Behaviors.sharded(entity(system.selfAddress), { numShards: NUM_SHARDS }), REGION);
Gateway.serve(system);
addEcho(system.server);
let rows: Row[] = [];
try {
  await system.cluster.whenUp(30_000);
  const member = await load((n) => system.ask(region, ping(`entity-${n % ENTITIES}`, n), { timeout: 10_000 }), WINDOW);
  const client = await runChild<{ ask: Load; tell: Load; raw: Load }>("gateway/client.ts", {
    args: [`--node=${system.selfAddress}`, `--echo=${system.selfAddress}`, `--window=${WINDOW}`, `--entities=${ENTITIES}`],
    timeoutMs: 240_000,
  });
  const vsRaw = "raw: grpc-js unary echo of a same-size request on the node's server, from the same client process";
  rows = [
    { name: `gateway ask, ${WINDOW} in flight (vs member's own sharded ask)`, value: client.ask.inflight, unit: "rt/s", baselineValue: member.inflight, goal: { atLeastRatio: 0.5 }, note: `member: ${member.inflight.toFixed(0)} rt/s, ${ENTITIES} entities on the one node` },
    { name: `gateway ask, ${WINDOW} in flight (vs raw unary echo)`, value: client.ask.inflight, unit: "rt/s", baselineValue: client.raw.inflight, goal: { atLeastRatio: 0.8 }, note: vsRaw },
    { name: `gateway tell, ${WINDOW} in flight (vs raw unary echo)`, value: client.tell.inflight, unit: "rt/s", baselineValue: client.raw.inflight, goal: { atLeastRatio: 0.8 }, note: "a tell is answered once routed" },
    { name: "gateway ask, sequential (vs member's own)", value: client.ask.sequential, unit: "rt/s", baselineValue: member.sequential, goal: { atLeastRatio: 0.5 } },
    { name: "gateway ask, sequential (vs raw unary echo)", value: client.ask.sequential, unit: "rt/s", baselineValue: client.raw.sequential, goal: { atLeastRatio: 0.8 } },
    { name: "gateway tell, sequential (vs raw unary echo)", value: client.tell.sequential, unit: "rt/s", baselineValue: client.raw.sequential, goal: { atLeastRatio: 0.8 } },
    { name: "gateway ask p50 (vs raw unary echo)", value: client.ask.p50, unit: "µs", baselineValue: client.raw.p50, note: `member's own sharded ask p50 ${member.p50.toFixed(0)} µs` },
    { name: "gateway ask p99 (vs raw unary echo)", value: client.ask.p99, unit: "µs", baselineValue: client.raw.p99, note: `member's own p99 ${member.p99.toFixed(0)} µs` },
    { name: "gateway tell p50 (vs raw unary echo)", value: client.tell.p50, unit: "µs", baselineValue: client.raw.p50 },
    { name: "gateway tell p99 (vs raw unary echo)", value: client.tell.p99, unit: "µs", baselineValue: client.raw.p99 },
  ];
} finally {
  await shutdownAll([system]);
}
emit(rows);
process.exit(0);
