// Distributed data over three node processes on 127.0.0.1 (this process is the first node and drives
// the load), beside a hand-written sharded entity doing the same asks (entity.ts), in the same run:
//   --shape=counter  increments of one counter, 256 in flight                          → ops/s
//   --shape=map      put then get of keys round-robin over 10,000, 256 lanes            → put+get/s
//   --shape=queue    enqueue then dequeue on one queue, 256 lanes                        → pairs/s
//   --journal=1      every mutation persisted in one SqliteJournal file shared by the three processes
// Every loop and wait is bounded by a count and a time.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AskTimeoutError, Behaviors, regionStats, ShardEnvelope, SqliteJournal, type ActorRef } from "../../src/index.js";
import { DistributedData } from "../../src/distributed/distributed-data.js";
import { distributed } from "../../src/distributed/distributed.js";
import type { StructureKind } from "../../src/distributed/region-name.js";
import { argNumber, argString, emit, formatValue, measureThroughput, type Row } from "../harness.js";
import { within } from "../local/common.js";
import { NodeProcess, seesAllUp, shutdownAll, sleep, startNode, waitUntil } from "../cluster/common.js";
import { entity, NUM_SHARDS, REGION, type EntityMsg } from "./entity.js";

const shape = argString("shape", "counter");
const persistent = argNumber("journal", 0) === 1;
const window = 256;
const KEYS = 10_000;

const dir = mkdtempSync(join(tmpdir(), "casty-dd-bench-"));
const file = join(dir, "journal.db");
const journal = persistent ? new SqliteJournal(file) : undefined;
const system = await startNode("dd", [], { leaveTimeout: 5000 });
const region = system.spawn(Behaviors.sharded(entity(journal), { numShards: NUM_SHARDS }), REGION);
const data = distributed(system, { journal });
const others = [0, 1].map(
  () => new NodeProcess("distributed/node.ts", [`--seeds=${system.selfAddress}`, ...(persistent ? [`--journal=${file}`] : [])], 300_000),
);

const ask = (id: string, msg: (replyTo: ActorRef<unknown>) => EntityMsg) =>
  system.ask<ShardEnvelope<EntityMsg>, unknown>(region, (replyTo) => new ShardEnvelope(id, msg(replyTo)), { timeout: 10_000 });
const write = (id: string, value: unknown) => ask(id, (replyTo) => ({ kind: "write", value, replyTo }));
const read = (id: string) => ask(id, (replyTo) => ({ kind: "read", replyTo }));

/** One unit of work (k = 0, 1, …) of each variant; both do the same asks. */
function operations(): { entity: (k: number) => Promise<unknown>; structure: (k: number) => Promise<unknown>; unit: string; what: string } {
  const name = `bench-${shape}`;
  switch (shape) {
    case "counter": {
      const counter = data.counter(name);
      return { entity: (k) => write("counter", k), structure: () => counter.increment(), unit: "ops/s", what: "counter increments" };
    }
    case "map": {
      const map = data.map<string, number>(name);
      return {
        entity: async (k) => (await write(`key-${k % KEYS}`, k), read(`key-${k % KEYS}`)),
        structure: async (k) => (await map.put(`key-${k % KEYS}`, k), map.get(`key-${k % KEYS}`)),
        unit: "pairs/s",
        what: `map put+get over ${KEYS} keys`,
      };
    }
    case "queue": {
      const queue = data.queue<number>(name);
      return {
        entity: async (k) => (await write("queue", k), write("queue", undefined)),
        structure: async (k) => (await queue.enqueue(k), queue.dequeue()),
        unit: "pairs/s",
        what: "queue enqueue+dequeue",
      };
    }
    default:
      throw new Error(`unknown --shape=${shape}`);
  }
}

/** `window` lanes doing `op(k)` for k = 0, 1, … until `total` or `maxMs`; completed units. */
async function lanes(op: (k: number) => Promise<unknown>, total: number, maxMs: number): Promise<number> {
  const t0 = performance.now();
  let started = 0;
  let done = 0;
  const lane = async () => {
    while (started < total && performance.now() - t0 < maxMs) {
      await op(started++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return done;
}

/** Runs `op` for k = 0 … count - 1 (64 at a time), each until it answers: every entity started, every shard home allocated. */
async function warm(op: (k: number) => Promise<unknown>, count: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const k = next++;
      for (let attempt = 0; ; attempt++) {
        try {
          await op(k);
          break;
        } catch (error) {
          if (!(error instanceof AskTimeoutError) || attempt >= 10) throw error;
        }
      }
    }
  };
  await within(Promise.all(Array.from({ length: 64 }, lane)), 120_000, "starting the entities");
}

/** Where a single-entity shape's entity runs, as seen from this node's region. */
function placement(ref: ActorRef<never>): string {
  if (shape === "map") return "keys spread over the 3 nodes";
  return (regionStats(ref)?.entities ?? 0) > 0 ? "its entity on this node" : "its entity on another node";
}

let rows: Row[] = [];
try {
  await Promise.all(others.map((p) => p.waitFor("up", 30_000)));
  await system.cluster.whenUp(30_000);
  const addresses = [system.selfAddress, ...others.map((p) => p.first("started")!.address as string)];
  await waitUntil(() => seesAllUp(system, [...addresses].sort().join(",")), 30_000, "three Up members", 5);
  const ops = operations();
  const entities = shape === "map" ? KEYS : 1;
  await warm(ops.entity, entities);
  await warm(ops.structure, entities);
  await sleep(1000);
  const measure = (op: (k: number) => Promise<unknown>, what: string) =>
    measureThroughput({ ops: 200_000, warmup: 1, warmupOps: 5_000, runs: 3, maxMs: 5_000 }, (n) => within(lanes(op, n, 2000), 30_000, what));
  const base = await measure(ops.entity, "sharded entity asks");
  const dd = await measure(ops.structure, ops.what);
  const storage = persistent ? "SqliteJournal" : "in memory";
  const structureRegion = DistributedData.of(system).region({
    kind: shape as StructureKind,
    storage: persistent ? "j" : "m",
    shards: 100,
    name: `bench-${shape}`,
  });
  rows = [
    {
      name: `sharded entity, same asks as ${ops.what}, ${storage}`,
      value: base.best,
      unit: ops.unit,
      note: `best of ${base.runs.length}, median ${formatValue(base.median, "").trim()}; 256 in flight, 3 processes; ${placement(region)}`,
    },
    {
      name: `distributed ${ops.what}, ${storage}`,
      value: dd.best,
      unit: ops.unit,
      baselineValue: base.best,
      goal: { atLeastRatio: 0.8 },
      note: `best of ${dd.runs.length}, median ${formatValue(dd.median, "").trim()}; beside the sharded entity above; ${placement(structureRegion)}`,
    },
  ];
} finally {
  await Promise.all(others.map((p) => p.stop(10_000)));
  await shutdownAll([system]);
  await journal?.close();
  rmSync(dir, { recursive: true, force: true });
}
emit(rows);
process.exit(0);
