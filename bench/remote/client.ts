// Remote bench client (its own process): a RemoteActorSystem that talks to remote/server.ts on
// 127.0.0.1:--port over casty remoting.
//   --mode=tell      ordered {kind:"tick", n} messages to the sink, paced with `ref.offer` so the bounded
//                    outbound queue never overflows (every message goes through `offer`, the
//                    sender awaits every --await-every=512th); the sink checks count and order → msg/s
//                    (--await-every=1: `await ref.offer(msg)` for each message, a separate row)
//   --mode=latency   sequential `system.ask` pings to the echo actor                   → p50/p99 µs, rt/s
//                    with --raw-port (a baselines/grpc-server.ts): then also rounds of asks and of raw
//                    grpc-js echoes taken in turns, so both see the same minutes of a shared machine
//   --mode=inflight  asks with 256 in flight                                            → rt/s
// Every loop stops at a count or a time.
import { Behaviors, RemoteActorSystem, type ActorRef } from "../../src/index.js";
import {
  argNumber,
  argString,
  emit,
  formatValue,
  LATENCY_WARMUP,
  LatencyRecorder,
  measureThroughput,
  type LatencyRound,
  type Row,
  type ThroughputResult,
} from "../harness.js";
import * as grpc from "@grpc/grpc-js";
import { echoStream } from "../baselines/grpc-common.js";
import { within } from "../local/common.js";
import { echoPath, sinkPath, SYSTEM, type Ping, type Pong, type SinkMsg, type SinkReport } from "./protocol.js";

const port = argNumber("port", 0);
const rawPort = argNumber("raw-port", 0);
const mode = argString("mode", "tell");
/** tell mode: every message goes through `offer`; the sender awaits every `awaitEvery`-th one. */
const awaitEvery = argNumber("await-every", 512);
const yieldEvery = argNumber("yield-every", 2048);

process.env.CASTY_LOG_LEVEL ??= "error";
const system = await RemoteActorSystem.start({ name: SYSTEM, host: "127.0.0.1", port: 0, logLevel: "error" });
const remote = `casty://${SYSTEM}@127.0.0.1:${port}`;
const sink = system.refFor<SinkMsg>(remote + sinkPath);
const echo = system.refFor<Ping>(remote + echoPath);
const stats = (r: ThroughputResult) => `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}`;

/** Local actor that receives the sink's reports (the report request travels with `offer`, behind the ticks). */
let onReport: ((report: SinkReport) => void) | undefined;
const reports = system.spawn(
  Behaviors.receive<SinkReport>((_ctx, report) => {
    onReport?.(report);
    return Behaviors.same();
  }),
  "reports",
);

/** One run of ticks 0..sent-1 (up to maxMsgs or maxMs), then the sink's report; returns the count. */
async function tellRun(maxMsgs: number, maxMs: number): Promise<number> {
  const t0 = performance.now();
  let sent = 0;
  await sink.offer({ kind: "start" });
  let last: Promise<boolean> = Promise.resolve(true);
  while (sent < maxMsgs && (sent % 4096 !== 0 || performance.now() - t0 < maxMs)) {
    // offer waits while the outbound queue is full; offers still waiting keep their order (FIFO)
    last = sink.offer({ kind: "tick", n: sent++ });
    if (sent % awaitEvery === 0) await last;
    // like an actor under the dispatcher, yield to I/O now and then so sockets flush while it produces
    if (sent % yieldEvery === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await last;
  // `system.ask` would `tell` the request, which a full outbound queue drops: offer it behind the ticks
  const report = new Promise<SinkReport>((resolve) => (onReport = resolve));
  await sink.offer({ kind: "done", sent, replyTo: reports });
  const { received, outOfOrder } = await within(report, 30_000, "the sink's report");
  if (received !== sent || outOfOrder !== 0) {
    throw new Error(`sent ${sent}, the sink received ${received} with ${outOfOrder} out of order`);
  }
  return sent;
}

const ping =
  (n: number) =>
  (replyTo: ActorRef<Pong>): Ping => ({ kind: "ping", n, replyTo });

const ASK_OPTIONS = { timeout: 5000 };

function checkPong(pong: Pong, n: number): void {
  if (pong.n !== n) throw new Error(`pong ${pong.n} for ping ${n}`);
}

async function askOnce(n: number): Promise<void> {
  checkPong(await system.ask<Ping, Pong>(echo, ping(n), ASK_OPTIONS), n);
}

/** One round of up to maxSamples / maxMs sequential asks. */
async function askRound(maxSamples: number, maxMs: number): Promise<LatencyRound> {
  const rec = new LatencyRecorder(maxSamples);
  const t0 = performance.now();
  for (let n = 0; !rec.full && performance.now() - t0 < maxMs; n++) {
    // awaited here, as the raw baseline awaits its reply: no async wrapper in the measured path
    const t = performance.now();
    const pong = await system.ask<Ping, Pong>(echo, ping(n), ASK_OPTIONS);
    rec.since(t);
    checkPong(pong, n);
  }
  const s = rec.summary();
  return { s, rate: (s.count / (performance.now() - t0)) * 1000 };
}

/** Sequential asks in `rounds` rounds of up to maxSamples / maxMs; the round with the lowest p50 is
 *  reported, as the raw baseline does. */
async function sequential(rounds: number, maxSamples: number, maxMs: number): Promise<Row[]> {
  for (let i = 0; i < LATENCY_WARMUP; i++) await askOnce(i); // warm-up (connects both ways)
  let best: LatencyRound | undefined;
  const p50s: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const r = await askRound(maxSamples, maxMs);
    p50s.push(r.s.p50);
    if (!best || r.s.p50 < best.s.p50) best = r;
  }
  const { s, rate } = best!;
  const note = `best of ${rounds} rounds of ${s.count}, p50s ${p50s.map((x) => x.toFixed(0)).join("/")} µs`;
  return [
    { name: "remote ask p50, sequential", value: s.p50, unit: "µs", baseline: "raw.grpc.rtt.p50", goal: { atMost: 150 }, note },
    {
      name: "remote ask p99, sequential",
      value: s.p99,
      unit: "µs",
      baseline: "raw.grpc.rtt.p99",
      goal: { atMost: 1000 },
      note: `same round; p99.9 ${s.p999.toFixed(0)} µs`,
    },
    { name: "remote asks, sequential", value: rate, unit: "rt/s", baseline: "raw.grpc.rtt", note: "same round; no goal" },
  ];
}

/**
 * `pairs` pairs of rounds, a raw grpc-js echo round then an ask round, over the same loopback: the
 * ratio of each pair compares the two within a second or so. Reports the pair with the median ratio.
 */
async function interleaved(pairs: number, maxSamples: number, maxMs: number): Promise<Row> {
  const client = new grpc.Client(`127.0.0.1:${rawPort}`, grpc.credentials.createInsecure());
  const raw = echoStream(client);
  try {
    await raw.warmUp(LATENCY_WARMUP);
    const results: { raw: number; casty: number }[] = [];
    for (let i = 0; i < pairs; i++) results.push({ raw: (await raw.round(maxSamples, maxMs)).s.p50, casty: (await askRound(maxSamples, maxMs)).s.p50 });
    const ratios = results.map((r) => r.casty / r.raw);
    const median = [...ratios].sort((a, b) => a - b)[pairs >> 1];
    const pick = results[ratios.indexOf(median)];
    const listed = results.map((r) => `${r.casty.toFixed(0)}/${r.raw.toFixed(0)}`).join(", ");
    return {
      name: "remote ask p50 beside raw, rounds in turns",
      value: pick.casty,
      unit: "µs",
      baselineValue: pick.raw,
      goal: { atMostRatio: 1.3 },
      note: `the pair with the median ratio of ${pairs} (ask/raw p50 µs: ${listed}); rounds of ${maxSamples}`,
    };
  } finally {
    raw.call.end();
    client.close();
  }
}

/** `window` lanes each asking one after another: `window` asks in flight; completed asks. */
async function inflight(window: number, total: number, maxMs: number): Promise<number> {
  const t0 = performance.now();
  let started = 0;
  const lane = async () => {
    while (started < total && performance.now() - t0 < maxMs) await askOnce(started++);
  };
  await Promise.all(Array.from({ length: window }, lane));
  return started;
}

let rows: Row[];
if (mode === "tell" && awaitEvery === 1) {
  // The plain backpressure pattern, `await ref.offer(msg)` for every message: each await lets the
  // endpoint's flush run, so this shows what batching is left when a sender yields between messages.
  const r = await measureThroughput({ ops: 300_000, warmupOps: 50_000, runs: 3, maxMs: 10_000 }, (ops) =>
    within(tellRun(ops, 2000), 60_000, "remote tell run"),
  );
  rows = [
    {
      name: "remote tell, await each offer",
      value: r.best,
      unit: "msg/s",
      baseline: "raw.grpc.unbatched",
      note: `${stats(r)}, order and count checked; no goal`,
    },
  ];
} else if (mode === "tell") {
  const r = await measureThroughput({ ops: 3_000_000, warmupOps: 200_000, runs: 3, maxMs: 15_000 }, (ops) =>
    within(tellRun(ops, 4000), 60_000, "remote tell run"),
  );
  const note = `${stats(r)}, order and count checked by the receiver, offer every msg, await every ${awaitEvery}`;
  rows = [
    {
      name: "remote tell, ordered small msgs",
      value: r.best,
      unit: "msg/s",
      baseline: "raw.grpc.batched",
      goal: { atLeastRatio: 0.7 },
      note: `${note}; raw walks framing only`,
    },
    {
      name: "remote tell vs decoded raw",
      value: r.best,
      unit: "msg/s",
      baseline: "raw.grpc.batched.decoded",
      goal: { atLeastRatio: 0.7 },
      note: "same figure; raw decodes with ts-proto",
    },
  ];
} else if (mode === "latency") {
  rows = await within(sequential(3, 10_000, 2000), 60_000, "remote ask latency");
  if (rawPort > 0) rows.push(await within(interleaved(7, 5000, 1000), 60_000, "asks and raw echoes in turns"));
} else if (mode === "inflight") {
  const r = await measureThroughput({ ops: 500_000, warmupOps: 20_000, runs: 3, maxMs: 10_000 }, (ops) =>
    within(inflight(256, ops, 3000), 30_000, "remote asks in flight"),
  );
  rows = [{ name: "remote asks, 256 in flight", value: r.best, unit: "rt/s", baseline: "raw.grpc.inflight256", goal: { atLeast: 100_000 }, note: stats(r) }];
} else {
  throw new Error(`unknown --mode=${mode}`);
}
await Promise.race([system.shutdown(), new Promise((r) => setTimeout(r, 3000))]);
emit(rows);
process.exit(0);
