// Raw gRPC baseline client (its own process), against grpc-server.ts on 127.0.0.1:--port.
//   --mode=batched    pre-encoded batches of 500 envelopes per write      → msg/s
//   --mode=decoded    the same, the server decodes batches with the generated ts-proto code
//   --mode=unbatched  one envelope per write                              → msg/s
//   --mode=latency    one message at a time echoed back (sequential)      → p50/p99 µs, round trips/s
//   --mode=inflight   echo with 256 messages in flight, one per write     → round trips/s
// Writes respect backpressure (write() === false → wait for 'drain'). Runs stop at a count or a time.
import * as grpc from "@grpc/grpc-js";
import { once } from "node:events";
import { argNumber, argString, emit, formatValue, LATENCY_WARMUP, measureThroughput, type LatencyRound, type Row, type ThroughputResult } from "../harness.js";
import { echoStream, encodeBatch, ENVELOPE, RAW_SERVICE } from "./grpc-common.js";

const port = argNumber("port", 0);
const mode = argString("mode", "batched");
const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
const open = (m: grpc.MethodDefinition<Buffer, Buffer>) => client.makeBidiStreamRequest(m.path, m.requestSerialize, m.responseDeserialize);

/** One push stream: write `payload` (holding `perWrite` envelopes) until maxMsgs or maxMs; the server's count. */
async function push(payload: Buffer, perWrite: number, maxMsgs: number, maxMs: number, decode = false): Promise<number> {
  const call = open(decode ? RAW_SERVICE.pushDecoded : RAW_SERVICE.push);
  const reply = new Promise<number>((ok, fail) => {
    call.once("data", (b: Buffer) => ok(b.readDoubleLE(0)));
    call.once("error", fail);
  });
  const t0 = performance.now();
  let sent = 0;
  while (sent < maxMsgs && performance.now() - t0 < maxMs) {
    sent += perWrite;
    if (!call.write(payload)) await once(call, "drain");
  }
  call.end();
  const received = await reply;
  if (received !== sent) throw new Error(`server counted ${received}, sent ${sent}`);
  return received;
}

/** Sequential echo latency: `rounds` rounds of up to maxSamples / maxMs; the round with the lowest p50
 *  is reported (on 2 shared cores a neighbour's burst can double a whole round). */
async function sequential(rounds: number, maxSamples: number, maxMs: number): Promise<Row[]> {
  const echo = echoStream(client);
  await echo.warmUp(LATENCY_WARMUP);
  let best: LatencyRound | undefined;
  const p50s: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const r = await echo.round(maxSamples, maxMs);
    p50s.push(r.s.p50);
    if (!best || r.s.p50 < best.s.p50) best = r;
  }
  echo.call.end();
  const { s, rate } = best!;
  const note = `best of ${rounds} rounds of ${s.count}, p50s ${p50s.map((x) => x.toFixed(0)).join("/")} µs`;
  return [
    { id: "raw.grpc.rtt.p50", name: "raw grpc round trip p50", value: s.p50, unit: "µs", note },
    { id: "raw.grpc.rtt.p99", name: "raw grpc round trip p99", value: s.p99, unit: "µs", note: `same round; p99.9 ${s.p999.toFixed(0)} µs` },
    { id: "raw.grpc.rtt", name: "raw grpc round trips, sequential", value: rate, unit: "rt/s", note: "same round" },
  ];
}

/** Round trips done with `window` messages in flight on one echo stream. */
async function inflight(window: number, total: number, maxMs: number): Promise<number> {
  const call = open(RAW_SERVICE.echo);
  let sent = 0;
  let received = 0;
  const t0 = performance.now();
  const finished = new Promise<void>((done, fail) => {
    const send = () => {
      sent++;
      return call.write(ENVELOPE);
    };
    call.on("data", () => {
      received++;
      if (received === sent && (sent >= total || performance.now() - t0 >= maxMs)) done();
      else if (sent < total && performance.now() - t0 < maxMs) send();
    });
    call.once("error", fail);
    for (let i = 0; i < window; i++) send();
  });
  await finished;
  call.end();
  return received;
}

const stats = (r: ThroughputResult) => `best of ${r.runs.length}, median ${formatValue(r.median, "").trim()}`;

let rows: Row[];
if (mode === "batched") {
  const n = 500;
  const r = await measureThroughput({ ops: 3_000_000, warmupOps: 200_000, runs: 3, maxMs: 15_000 }, (ops) => push(encodeBatch(n), n, ops, 4000));
  rows = [
    { id: "raw.grpc.batched", name: `raw grpc stream, batches of ${n}`, value: r.best, unit: "msg/s", note: `${stats(r)}, ${encodeBatch(n).length} B/write` },
  ];
} else if (mode === "decoded") {
  const n = 500;
  const r = await measureThroughput({ ops: 2_000_000, warmupOps: 100_000, runs: 3, maxMs: 15_000 }, (ops) => push(encodeBatch(n), n, ops, 4000, true));
  rows = [
    {
      id: "raw.grpc.batched.decoded",
      name: `raw grpc batches of ${n}, ts-proto decode`,
      value: r.best,
      unit: "msg/s",
      note: `${stats(r)}, receiver decodes every envelope`,
    },
  ];
} else if (mode === "unbatched") {
  const r = await measureThroughput({ ops: 500_000, warmupOps: 20_000, runs: 3, maxMs: 10_000 }, (ops) => push(encodeBatch(1), 1, ops, 3000));
  rows = [
    {
      id: "raw.grpc.unbatched",
      name: "raw grpc stream, 1 envelope/write",
      value: r.best,
      unit: "msg/s",
      note: `${stats(r)}, ${encodeBatch(1).length} B/write`,
    },
  ];
} else if (mode === "latency") {
  rows = await sequential(3, 10_000, 2000);
} else if (mode === "inflight") {
  const r = await measureThroughput({ ops: 500_000, warmupOps: 20_000, runs: 3, maxMs: 10_000 }, () => inflight(256, 500_000, 3000));
  rows = [{ id: "raw.grpc.inflight256", name: "raw grpc echo, 256 in flight", value: r.best, unit: "rt/s", note: stats(r) }];
} else {
  throw new Error(`unknown --mode=${mode}`);
}
client.close();
emit(rows);
