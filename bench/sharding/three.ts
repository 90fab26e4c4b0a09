// Sharding over three node processes on 127.0.0.1: this process is the first node (it forms the
// cluster and drives the load) and starts two more (sharding/node.ts) that seed on it. Each runs the
// same sharded entity type (100 shards). Once all three see three Up, every one of --entities ids is
// started with one ask (which also allocates the shards); the pongs tell where each entity lives.
//   --mode=inflight  asks from this node with 256 in flight, round-robin over all entities (so about
//                    2/3 go to the other two processes)                                       → asks/s
//   --mode=latency   sequential asks to one entity on another node: 3 rounds of up to 10k asks or
//                    2 s; the round with the lowest p50 is reported (as the raw baseline does) → µs
//   --proxy=1        entities run only on the two other processes (role "host"); this node only routes
// Every loop and wait is bounded by a count and a time.
import { AskTimeoutError, Behaviors, ShardEnvelope, shardOf } from "../../src/index.js";
import { argNumber, argString, emit, formatValue, LATENCY_WARMUP, LatencyRecorder, measureThroughput, type Row } from "../harness.js";
import { within } from "../local/common.js";
import { NodeProcess, seesAllUp, shutdownAll, sleep, startNode, waitUntil } from "../cluster/common.js";
import { entity, NUM_SHARDS, ping, REGION, SINK, type EntityMsg, type Pong } from "./entity.js";

const mode = argString("mode", "inflight");
const entityCount = argNumber("entities", 10_000);
const window = argNumber("window", 256);
/** --proxy=1: entities run only on the two other processes (role "host"); this node only routes. */
const proxy = argNumber("proxy", 0) === 1;
const shardingOptions = { numShards: NUM_SHARDS, ...(proxy ? { role: "host" } : {}) };

const system = await startNode("sharding", [], { leaveTimeout: 5000 });
const region = system.spawn(Behaviors.sharded(entity(system.selfAddress), shardingOptions), REGION);
const nodeArgs = [`--seeds=${system.selfAddress}`, ...(proxy ? ["--role=host"] : [])];
const others = [0, 1].map(() => new NodeProcess("sharding/node.ts", nodeArgs, 300_000));

const ask = (id: string, n: number, timeout = 5000) => system.ask<ShardEnvelope<EntityMsg>, Pong>(region, ping(id, n), { timeout });

/** `lanes` concurrent lanes taking ids[k] for k = 0, 1, … until `total` or `maxMs`; completed asks. */
async function lanes(ids: readonly string[], lanes: number, total: number, maxMs: number): Promise<number> {
  const t0 = performance.now();
  let started = 0;
  let done = 0;
  const lane = async () => {
    while (started < total && performance.now() - t0 < maxMs) {
      const k = started++;
      const pong = await ask(ids[k % ids.length], k);
      if (pong.n !== k) throw new Error(`pong ${pong.n} for ping ${k}`);
      done++;
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return done;
}

let rows: Row[] = [];
try {
  await Promise.all(others.map((p) => p.waitFor("up", 30_000)));
  await system.cluster.whenUp(30_000);
  const addresses = [system.selfAddress, ...others.map((p) => p.first("started")!.address as string)];
  const expected = [...addresses].sort().join(",");
  await waitUntil(() => seesAllUp(system, expected), 30_000, "three Up members", 5);

  // Start every entity (allocating every shard) with 64 concurrent lanes; asks retried while shard
  // homes are being allocated.
  const ids = Array.from({ length: entityCount }, (_, i) => `entity-${i}`);
  const home = new Map<string, string>();
  const primeStart = performance.now();
  let next = 0;
  const primeLane = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      for (let attempt = 0; ; attempt++) {
        try {
          home.set(id, (await ask(id, 0, 2000)).node);
          break;
        } catch (error) {
          if (!(error instanceof AskTimeoutError) || attempt >= 10) throw error;
        }
      }
    }
  };
  await within(Promise.all(Array.from({ length: 64 }, primeLane)), 120_000, "starting the entities");
  const primeMs = performance.now() - primeStart;
  // Shard homes (from where each entity answered) and entities per node.
  const shardHome = new Map<number, string>();
  for (const [id, node] of home) shardHome.set(shardOf(id, NUM_SHARDS), node);
  const shardsPer = addresses.map((a) => [...shardHome.values()].filter((n) => n === a).length);
  const entitiesPer = addresses.map((a) => [...home.values()].filter((n) => n === a).length);
  const spread = `shards per node ${shardsPer.join("/")}, entities ${entitiesPer.join("/")} (this node first)`;
  console.error(`  [sharding three] ${entityCount} entities started in ${primeMs.toFixed(0)} ms; ${spread}`);
  await sleep(1000); // let a rebalance (if the spread was uneven) finish before measuring

  if (mode === "inflight") {
    // the same-run baseline: plain remote asks with as many in flight, to the sink actor of the other two processes
    const sinks = others.map((p) => system.refFor<EntityMsg>(`casty://sharding@${p.first("started")!.address as string}/user/${SINK}`));
    const plainLanes = async (total: number, maxMs: number): Promise<number> => {
      const t0 = performance.now();
      let started = 0;
      const lane = async () => {
        while (started < total && performance.now() - t0 < maxMs) {
          const k = started++;
          const pong = await system.ask<EntityMsg, Pong>(sinks[k & 1], (replyTo) => ({ kind: "ping", n: k, replyTo }), { timeout: 5000 });
          if (pong.n !== k) throw new Error(`pong ${pong.n} for ping ${k}`);
        }
      };
      await Promise.all(Array.from({ length: window }, lane));
      return started;
    };
    const plain = await measureThroughput({ ops: 1_000_000, warmup: 1, warmupOps: 50_000, runs: 3, maxMs: 15_000 }, (ops) =>
      within(plainLanes(ops, 3000), 30_000, "plain remote asks in flight"),
    );
    const r = await measureThroughput({ ops: 1_000_000, warmup: 1, warmupOps: 50_000, runs: 3, maxMs: 15_000 }, (ops) =>
      within(lanes(ids, window, ops, 3000), 30_000, "sharded asks in flight"),
    );
    rows = [
      {
        name: `remote asks, ${window} in flight, 3 processes`,
        value: plain.best,
        unit: "rt/s",
        baseline: "raw.grpc.inflight256",
        note: `best of ${plain.runs.length}, median ${formatValue(plain.median, "").trim()}; plain actors on the two other processes, alternately`,
      },
      {
        name: `sharded asks, ${window} in flight, 3 processes${proxy ? ", driver routes only" : ""}`,
        value: r.best,
        unit: "rt/s",
        baselineValue: plain.best,
        goal: { atLeastRatio: 0.8 },
        note: `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}; beside the remote asks above; ${entityCount} entities round-robin, ${proxy ? "all remote (2 hosting nodes)" : "~2/3 remote"}; ${spread}`,
      },
    ];
  } else if (mode === "latency") {
    const remoteId = ids.find((id) => home.get(id) !== system.selfAddress)!;
    const remoteNode = home.get(remoteId)!;
    for (let i = 0; i < LATENCY_WARMUP; i++) {
      const pong = await ask(remoteId, i);
      if (pong.node !== remoteNode) throw new Error(`${remoteId} moved from ${remoteNode} to ${pong.node}`);
    }
    let best: { s: ReturnType<LatencyRecorder["summary"]>; rate: number } | undefined;
    const p50s: number[] = [];
    for (let round = 0; round < 3; round++) {
      const rec = new LatencyRecorder(10_000);
      const t0 = performance.now();
      for (let n = 0; !rec.full && performance.now() - t0 < 2000; n++) {
        const t = performance.now();
        const pong = await ask(remoteId, n);
        rec.since(t);
        if (pong.n !== n) throw new Error(`pong ${pong.n} for ping ${n}`);
      }
      const s = rec.summary();
      p50s.push(s.p50);
      if (!best || s.p50 < best.s.p50) best = { s, rate: (s.count / (performance.now() - t0)) * 1000 };
    }
    const { s, rate } = best!;
    const note = `best of 3 rounds of ${s.count}, p50s ${p50s.map((x) => x.toFixed(0)).join("/")} µs; entity on another node process`;
    rows = [
      { name: "sharded ask to a remote entity, p50", value: s.p50, unit: "µs", baseline: "raw.grpc.rtt.p50", goal: { atMost: 250 }, note },
      {
        name: "sharded ask to a remote entity, p99",
        value: s.p99,
        unit: "µs",
        baseline: "raw.grpc.rtt.p99",
        goal: { atMost: 2000 },
        note: `same round; p99.9 ${s.p999.toFixed(0)} µs, max ${s.max.toFixed(0)} µs`,
      },
      { name: "sharded asks to a remote entity, sequential", value: rate, unit: "rt/s", baseline: "raw.grpc.rtt", note: "same round; no goal" },
    ];
  } else throw new Error(`unknown --mode=${mode}`);
} finally {
  await Promise.all(others.map((p) => p.stop(10_000)));
  await shutdownAll([system]);
}
emit(rows);
process.exit(0);
