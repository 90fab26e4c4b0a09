// Gateway bench: this process is a cluster node (the sharding bench's entity type, the gateway, and a
// raw grpc-js unary echo service on the same server) with a second node process (sharding/node.ts).
// It measures its own sharded asks of entities on the other node (one network round trip each), then
// a separate client process (gateway/client.ts) measures ClusterClient asks and tells of entities on
// this node (one round trip too), unary Asks of the generated stub and raw unary echo calls.
import { Behaviors } from "../../src/index.js";
import { emit, runChild, type Row } from "../harness.js";
import { NodeProcess, seesAllUp, shutdownAll, startNode, waitUntil } from "../cluster/common.js";
import { entity, NUM_SHARDS, ping, REGION } from "../sharding/entity.js";
import { addEcho } from "./echo.js";
import { load, type Load } from "./load.js";

const WINDOW = 256;
const CANDIDATES = 2000;
const system = await startNode("sharding", [], { leaveTimeout: 5000 });
const region = system.spawn(Behaviors.sharded(entity(system.selfAddress), { numShards: NUM_SHARDS }), REGION);
addEcho(system.server);
const other = new NodeProcess("sharding/node.ts", [`--seeds=${system.selfAddress}`], 300_000);
let rows: Row[] = [];
try {
  await other.waitFor("up", 30_000);
  await system.cluster.whenUp(30_000);
  const otherAddress = other.first("started")!.address as string;
  await waitUntil(() => seesAllUp(system, [system.selfAddress, otherAddress].sort().join(",")), 30_000, "two Up members", 5);
  // where each entity lives, from its first answer (which also allocates the shards)
  const local: string[] = [];
  const remote: string[] = [];
  for (let i = 0; i < CANDIDATES; i++) {
    const id = `entity-${i}`;
    const pong = await system.ask(region, ping(id, 0), { timeout: 10_000 });
    (pong.node === system.selfAddress ? local : remote).push(id);
  }
  await new Promise((r) => setTimeout(r, 1000)); // let a rebalance settle
  const member = await load((n) => system.ask(region, ping(remote[n % remote.length], n), { timeout: 10_000 }), WINDOW);
  const client = await runChild<{ ask: Load; tell: Load; unary: Load; raw: Load }>("gateway/client.ts", {
    args: [`--node=${system.selfAddress}`, `--echo=${system.selfAddress}`, `--window=${WINDOW}`, `--ids=${local.join(",")}`],
    timeoutMs: 240_000,
    nodeArgs: process.execArgv.filter((a) => a.startsWith("--cpu-prof")), // profiled when this process is
  });
  const vsMember = `member: its own sharded ask of an entity on the other node process (${remote.length} entities); gateway: entities on the contacted node (${local.length})`;
  const vsRaw = "raw: grpc-js unary echo of a same-size request on the node's server, from the same client process";
  rows = [
    {
      name: `gateway ask, ${WINDOW} in flight (vs member's sharded ask)`,
      value: client.ask.inflight,
      unit: "rt/s",
      baselineValue: member.inflight,
      goal: { atLeastRatio: 0.5 },
      note: vsMember,
    },
    {
      name: `gateway ask, ${WINDOW} in flight (vs raw unary echo)`,
      value: client.ask.inflight,
      unit: "rt/s",
      baselineValue: client.raw.inflight,
      goal: { atLeastRatio: 0.8 },
      note: vsRaw,
    },
    {
      name: `gateway tell, ${WINDOW} in flight (vs raw unary echo)`,
      value: client.tell.inflight,
      unit: "rt/s",
      baselineValue: client.raw.inflight,
      goal: { atLeastRatio: 0.8 },
      note: "a tell is answered once routed",
    },
    {
      name: "gateway ask, sequential (vs member's sharded ask)",
      value: client.ask.sequential,
      unit: "rt/s",
      baselineValue: member.sequential,
      goal: { atLeastRatio: 0.5 },
    },
    {
      name: "gateway ask, sequential (vs raw unary echo)",
      value: client.ask.sequential,
      unit: "rt/s",
      baselineValue: client.raw.sequential,
      goal: { atLeastRatio: 0.8 },
    },
    {
      name: "gateway tell, sequential (vs raw unary echo)",
      value: client.tell.sequential,
      unit: "rt/s",
      baselineValue: client.raw.sequential,
      goal: { atLeastRatio: 0.8 },
    },
    {
      name: "gateway ask p50 (vs raw unary echo)",
      value: client.ask.p50,
      unit: "µs",
      baselineValue: client.raw.p50,
      note: `member's sharded ask p50 ${member.p50.toFixed(0)} µs`,
    },
    {
      name: "gateway ask p99 (vs raw unary echo)",
      value: client.ask.p99,
      unit: "µs",
      baselineValue: client.raw.p99,
      note: `member's p99 ${member.p99.toFixed(0)} µs`,
    },
    { name: "gateway tell p50 (vs raw unary echo)", value: client.tell.p50, unit: "µs", baselineValue: client.raw.p50 },
    { name: "gateway tell p99 (vs raw unary echo)", value: client.tell.p99, unit: "µs", baselineValue: client.raw.p99 },
    {
      name: `unary Ask of the generated stub, ${WINDOW} in flight (vs raw unary echo)`,
      value: client.unary.inflight,
      unit: "rt/s",
      baselineValue: client.raw.inflight,
      note: "one HTTP/2 stream per call, as stubs of other languages call",
    },
    {
      name: "unary Ask of the generated stub, sequential (vs raw unary echo)",
      value: client.unary.sequential,
      unit: "rt/s",
      baselineValue: client.raw.sequential,
    },
    { name: "unary Ask p50 (vs raw unary echo)", value: client.unary.p50, unit: "µs", baselineValue: client.raw.p50 },
  ];
} finally {
  await other.stop(10_000);
  await shutdownAll([system]);
}
emit(rows);
process.exit(0);
