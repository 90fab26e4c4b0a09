// Sharded tell across nodes, beside plain remote tell of the same payloads in the same processes. This
// process is a node without the role "host" (its region only routes) and starts one node process
// (sharding/node.ts, role "host") where all --entities live. A run sends N fresh `{ kind: "tick" }`
// messages from a sync loop, either as `region.tell(new ShardEnvelope(id, msg))` round-robin over the
// entities or as `sink.tell(msg)` to a plain actor on the other node; the other node counts them, and a
// probe there answers once it has counted a chunk: at most WINDOW chunks are in flight, so the bounded
// outbound queue never drops. Runs of the two kinds alternate; best of 3 each.
import { AskTimeoutError, Behaviors, ShardEnvelope, type ActorRef } from "../../src/index.js";
import { argNumber, argString, emit, formatValue, measureThroughput, median, type Row, type ThroughputResult } from "../harness.js";
import { within } from "../local/common.js";
import { NodeProcess, seesAllUp, shutdownAll, startNode, waitUntil } from "../cluster/common.js";
import { entity, NUM_SHARDS, ping, PROBE, REGION, SINK, type EntityMsg, type Pong, type Reached } from "./entity.js";

const entityCount = argNumber("entities", 1000);
const ops = argNumber("count", 1_000_000);
const CHUNK = argNumber("chunk", 4096);
const WINDOW = argNumber("window", 4);
/** --only=sharded or --only=plain: runs of one kind only (for profiling one path alone). */
const only = argString("only", "");

const system = await startNode("sharding", [], { leaveTimeout: 5000 });
const region = system.spawn(Behaviors.sharded(entity(system.selfAddress), { numShards: NUM_SHARDS, role: "host" }), REGION);
const other = new NodeProcess("sharding/node.ts", [`--seeds=${system.selfAddress}`, "--role=host"], 300_000);
const ask = (id: string, n: number) => system.ask<ShardEnvelope<EntityMsg>, Pong>(region, ping(id, n), { timeout: 2000 });

let rows: Row[] = [];
try {
  await other.waitFor("up", 30_000);
  await system.cluster.whenUp(30_000);
  const address = other.first("started")!.address as string;
  await waitUntil(() => seesAllUp(system, [system.selfAddress, address].sort().join(",")), 30_000, "two Up members", 5);
  const ids = Array.from({ length: entityCount }, (_, i) => `entity-${i}`);
  for (const id of ids) {
    for (let attempt = 0; ; attempt++) {
      try {
        const pong = await ask(id, 0);
        if (pong.node !== address) throw new Error(`${id} runs on ${pong.node}, not on the hosting node`);
        break;
      } catch (error) {
        if (!(error instanceof AskTimeoutError) || attempt >= 10) throw error;
      }
    }
  }
  const sink = system.refFor<EntityMsg>(`casty://sharding@${address}/user/${SINK}`);
  const probe = system.refFor<Reached>(`casty://sharding@${address}/user/${PROBE}`);
  let sent = 0;
  const reached = (count: number) => system.ask<Reached, number>(probe, (replyTo: ActorRef<number>) => ({ count, replyTo }), { timeout: 30_000 });
  /** CPU µs per message of the last run: this process, the other one. */
  const cpu = { here: 0, there: 0 };
  const run = async (n: number, send: (i: number) => void): Promise<void> => {
    const waiting: Promise<number>[] = [];
    const start = process.cpuUsage();
    const thereStart = await reached(sent);
    for (let done = 0; done < n;) {
      const m = Math.min(CHUNK, n - done);
      for (let i = 0; i < m; i++) send(done + i);
      done += m;
      sent += m;
      waiting.push(reached(sent));
      if (waiting.length >= WINDOW) await waiting.shift();
    }
    const thereEnd = (await Promise.all(waiting)).at(-1)!;
    const used = process.cpuUsage(start);
    cpu.here = (used.user + used.system) / n;
    cpu.there = (thereEnd - thereStart) / n;
  };
  const sharded = (i: number) => region.tell(new ShardEnvelope<EntityMsg>(ids[i % entityCount], { kind: "tick" }));
  const plain = () => sink.tell({ kind: "tick" });
  const results: { plain: number[]; sharded: number[] } = { plain: [], sharded: [] };
  const cpuOf = { plain: [] as string[], sharded: [] as string[] };
  const measure = async (kind: "plain" | "sharded") => {
    results[kind].push(
      (await measureThroughput({ ops, warmup: 0, runs: 1 }, (n) => within(run(n, kind === "plain" ? plain : sharded), 60_000, `${kind} tell run`))).best,
    );
    cpuOf[kind].push(`${cpu.here.toFixed(2)}/${cpu.there.toFixed(2)}`);
  };
  if (only !== "sharded") await within(run(200_000, plain), 60_000, "warm-up");
  if (only !== "plain") await within(run(200_000, sharded), 60_000, "warm-up");
  for (let round = 0; round < 3; round++) {
    if (only !== "sharded") await measure("plain");
    if (only !== "plain") await measure("sharded");
  }
  const stats = (xs: number[]): ThroughputResult => ({ best: Math.max(...xs), median: median(xs), runs: xs });
  const p = stats(results.plain.length > 0 ? results.plain : [NaN]);
  const s = stats(results.sharded.length > 0 ? results.sharded : [NaN]);
  const medianOf = (r: ThroughputResult) => formatValue(r.median, "").trim();
  rows = [
    {
      name: "remote tell, fresh msg per send, same processes",
      value: p.best,
      unit: "msg/s",
      note: `best of 3, median ${medianOf(p)}; ${ops / 1e6}M ticks to a plain actor on the other node, ${WINDOW} chunks of ${CHUNK} in flight; CPU µs/msg sender/receiver ${cpuOf.plain.join(" ")}`,
    },
    {
      name: `sharded tell to ${entityCount} entities on another node`,
      value: s.best,
      unit: "msg/s",
      baselineValue: p.best,
      goal: { atLeastRatio: 0.7 },
      note: `best of 3, median ${medianOf(s)}; fresh ShardEnvelope and msg per send, beside the remote tell above; CPU µs/msg sender/receiver ${cpuOf.sharded.join(" ")}`,
    },
  ];
} finally {
  await other.stop(10_000);
  await shutdownAll([system]);
}
emit(rows);
process.exit(0);
