// Sharding on a single node: --system=plain (an ActorSystem: every shard local) or --system=cluster
// (a 1-node ClusteredActorSystem on 127.0.0.1, Up, shards allocated by its coordinator).
//   --mode=tell  one preallocated ShardEnvelope per entity (--entities=E), N tells in a sync loop
//                round-robin over the entities, msg/s until the last tick is handled (like raw.tell.sync);
//                --fresh=1: a new ShardEnvelope and message per send, as users write it, in bursts of
//                BURST sends with a macrotask between them (as a producer under the dispatcher yields);
//                5M fresh objects queued at once would measure the garbage collector's old space instead
//   --mode=ask   sequential `system.ask` through the region to one entity                   → rt/s
// Every entity is started (and its shard allocated) before measuring. Runs are bounded by count and time.
import { ActorSystem, Behaviors, ShardEnvelope } from "../../src/index.js";
import { argNumber, argString, emit, formatValue, measureThroughput, type Row } from "../harness.js";
import { within } from "../local/common.js";
import { shutdownAll, startNode } from "../cluster/common.js";
import { counter, entity, NUM_SHARDS, ping, REGION, type EntityMsg, type Pong } from "./entity.js";

const mode = argString("mode", "tell");
const kind = argString("system", "plain");
const entities = argNumber("entities", 1);
const count = argNumber("count", mode === "tell" ? 5_000_000 : 1_000_000);
const maxMs = argNumber("max-ms", 3000);
const fresh = argNumber("fresh", 0) === 1;
const BURST = 10_000;

const clustered = kind === "cluster" ? await startNode("sharding", []) : undefined;
await clustered?.cluster.whenUp(10_000);
const system: ActorSystem = clustered ?? new ActorSystem({ name: "sharding", logLevel: "error" });
const node = clustered?.selfAddress ?? "local";
const region = system.spawn(Behaviors.sharded(entity(node), { numShards: NUM_SHARDS }), REGION);
const ids = Array.from({ length: entities }, (_, i) => `entity-${i}`);

/** Starts every entity (a cluster region first asks its coordinator for each shard's home). */
async function prime(): Promise<void> {
  const deadline = performance.now() + 20_000;
  for (const id of ids) {
    for (;;) {
      try {
        await system.ask<ShardEnvelope<EntityMsg>, Pong>(region, ping(id, 0), { timeout: 500 });
        break;
      } catch (error) {
        if (performance.now() > deadline) throw error;
      }
    }
  }
}
await prime();

const where = kind === "cluster" ? "1-node cluster" : "plain ActorSystem";
let rows: Row[];
if (mode === "tell") {
  const envelopes = ids.map((id) => new ShardEnvelope<EntityMsg>(id, { kind: "tick" }));
  const sendFresh = async (n: number): Promise<void> => {
    for (let sent = 0; sent < n;) {
      const end = Math.min(n, sent + BURST);
      for (; sent < end; sent++) region.tell(new ShardEnvelope<EntityMsg>(ids[sent % entities], { kind: "tick" }));
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const r = await measureThroughput({ ops: count, warmup: 2, runs: 5, maxMs: 20_000 }, async (n) => {
    counter.ticks = 0;
    counter.target = n;
    const finished = new Promise<void>((resolve) => (counter.done = resolve));
    if (fresh) await sendFresh(n);
    else for (let i = 0; i < n; i++) region.tell(envelopes[i % entities]);
    return within(finished, 30_000, "sharded tell run");
  });
  rows = [
    {
      name: `sharded tell, ${where}, ${entities} entit${entities === 1 ? "y" : "ies"}${fresh ? ", fresh envelope per send" : ""}`,
      value: r.best,
      unit: "msg/s",
      baseline: "raw.tell.sync",
      goal: { atLeast: fresh ? 5_000_000 : 3_000_000 },
      note: `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}, ${count / 1e6}M ${fresh ? `fresh envelopes and messages, bursts of ${BURST / 1000}k` : "preallocated envelopes"}`,
    },
  ];
} else {
  const id = ids[0];
  const r = await measureThroughput({ ops: count, warmup: 1, warmupOps: 100_000, runs: 5, maxMs: 15_000 }, async (n) => {
    const t0 = performance.now();
    let i = 0;
    while (i < n && (i & 1023 || performance.now() - t0 < maxMs)) {
      await system.ask<ShardEnvelope<EntityMsg>, Pong>(region, ping(id, i));
      i++;
    }
    return i;
  });
  rows = [
    {
      name: `sharded ask, sequential, ${where}`,
      value: r.best,
      unit: "rt/s",
      goal: { atLeast: 300_000 },
      note: `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}, up to ${count / 1e6}M asks or ${maxMs} ms per run`,
    },
  ];
}
if (clustered) await shutdownAll([clustered]);
else await system.shutdown();
emit(rows);
process.exit(0);
