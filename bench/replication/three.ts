// Replicated event-sourced accounts over three node processes on 127.0.0.1 (each with its own
// InMemoryJournal): this process forms the cluster and drives the load, two more (replication/node.ts)
// seed on it. --min-acks=-1 runs the same workload without replication.
//   1. every one of --entities accounts gets one deposit (starting it and allocating the shards);
//   2. deposits with --window in flight, round-robin over all accounts        → deposits/s, p50/p99 under load
//   3. sequential deposits to an account whose primary is this node (persist, replication, reply)
//      3 rounds of up to 5k or 2 s, the round with the lowest p50                → p50/p99 µs
// Every loop and wait is bounded by a count and a time.
import { AskTimeoutError, Behaviors, ShardEnvelope, shardOf } from "../../src/index.js";
import { argNumber, emit, formatValue, LatencyRecorder, measureThroughput, type Row } from "../harness.js";
import { within } from "../local/common.js";
import { NodeProcess, seesAllUp, shutdownAll, sleep, startNode, waitUntil } from "../cluster/common.js";
import { accounts, deposit, NUM_SHARDS, REGION, shardingOptions, type Deposit, type Receipt } from "./account.js";

const minAcks = argNumber("min-acks", -1);
const replicas = argNumber("replicas", 2);
const entityCount = argNumber("entities", 1000);
const window = argNumber("window", 256);
const label = minAcks < 0 ? "no replication" : `replicas ${replicas}, minAcks ${minAcks}`;

const system = await startNode("replication", [], { leaveTimeout: 5000 });
const region = system.spawn(Behaviors.sharded(accounts(system.selfAddress), shardingOptions(minAcks, replicas)), REGION);
const nodeArgs = [`--seeds=${system.selfAddress}`, `--min-acks=${minAcks}`, `--replicas=${replicas}`];
const others = [0, 1].map(() => new NodeProcess("replication/node.ts", nodeArgs, 300_000));

const ask = (id: string, timeout = 10_000) => system.ask<ShardEnvelope<Deposit>, Receipt>(region, deposit(id), { timeout });

let rows: Row[] = [];
try {
  await Promise.all(others.map((p) => p.waitFor("up", 30_000)));
  await system.cluster.whenUp(30_000);
  const addresses = [system.selfAddress, ...others.map((p) => p.first("started")!.address as string)];
  await waitUntil(() => seesAllUp(system, [...addresses].sort().join(",")), 30_000, "three Up members", 5);
  await sleep(1500); // every region registered: shards are allocated with their replicas at once

  const ids = Array.from({ length: entityCount }, (_, i) => `account-${i}`);
  const home = new Map<string, string>();
  let next = 0;
  const primeLane = async () => {
    while (next < ids.length) {
      const id = ids[next++];
      for (let attempt = 0; ; attempt++) {
        try {
          home.set(id, (await ask(id, 3000)).node);
          break;
        } catch (error) {
          if (!(error instanceof AskTimeoutError) || attempt >= 10) throw error;
        }
      }
    }
  };
  await within(Promise.all(Array.from({ length: 64 }, primeLane)), 120_000, "starting the accounts");
  const shardHome = new Map<number, string>();
  for (const [id, node] of home) shardHome.set(shardOf(id, NUM_SHARDS), node);
  const spread = addresses.map((a) => [...shardHome.values()].filter((n) => n === a).length).join("/");
  await sleep(1000);

  const underLoad = new LatencyRecorder(2_000_000);
  const lanes = async (total: number, maxMs: number): Promise<number> => {
    const t0 = performance.now();
    let started = 0;
    let done = 0;
    const lane = async () => {
      while (started < total && performance.now() - t0 < maxMs) {
        const id = ids[started++ % ids.length];
        const t = performance.now();
        await ask(id);
        underLoad.since(t);
        done++;
      }
    };
    await Promise.all(Array.from({ length: window }, lane));
    return done;
  };
  const r = await measureThroughput({ ops: 200_000, warmup: 1, warmupOps: 20_000, runs: 3, maxMs: 15_000 }, (ops) =>
    within(lanes(ops, 3000), 60_000, "deposits in flight"),
  );
  const load = underLoad.summary();

  const localId = ids.find((id) => home.get(id) === system.selfAddress)!;
  let best: ReturnType<LatencyRecorder["summary"]> | undefined;
  for (let round = 0; round < 3; round++) {
    const rec = new LatencyRecorder(5000);
    const t0 = performance.now();
    while (!rec.full && performance.now() - t0 < 2000) {
      const t = performance.now();
      await ask(localId);
      rec.since(t);
    }
    const s = rec.summary();
    if (!best || s.p50 < best.p50) best = s;
  }
  const seq = best!;
  rows = [
    {
      name: `deposits, ${window} in flight, ${label}`,
      value: r.best,
      unit: "rt/s",
      note: `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}; ${entityCount} accounts round-robin; shards per node ${spread}; under load p50 ${load.p50.toFixed(0)} µs, p99 ${load.p99.toFixed(0)} µs`,
    },
    { name: `deposit to a local primary, p50, ${label}`, value: seq.p50, unit: "µs", note: `sequential, best of 3 rounds of ${seq.count}` },
    { name: `deposit to a local primary, p99, ${label}`, value: seq.p99, unit: "µs", note: `same round; max ${seq.max.toFixed(0)} µs` },
  ];
} finally {
  await Promise.all(others.map((p) => p.stop(10_000)));
  await shutdownAll([system]);
}
emit(rows);
process.exit(0);
