// One way to load any request/response call for the gateway bench: sequential (latency percentiles and
// rate, best p50 of 3 rounds) and with a window in flight (best of 3 runs). Bounded by count and time.
import { LatencyRecorder, measureThroughput } from "../harness.js";
import { within } from "../local/common.js";

export interface Load {
  readonly p50: number; // µs
  readonly p99: number; // µs
  readonly sequential: number; // calls/s
  readonly inflight: number; // calls/s with `window` in flight
}

export async function load(call: (n: number) => Promise<unknown>, window: number): Promise<Load> {
  for (let n = 0; n < 2000; n++) await call(n); // warm-up
  let best: { p50: number; p99: number; rate: number } | undefined;
  for (let round = 0; round < 3; round++) {
    const rec = new LatencyRecorder(5000);
    const t0 = performance.now();
    for (let n = 0; !rec.full && performance.now() - t0 < 2000; n++) {
      const t = performance.now();
      await call(n);
      rec.since(t);
    }
    const s = rec.summary();
    if (best === undefined || s.p50 < best.p50) best = { p50: s.p50, p99: s.p99, rate: (s.count / (performance.now() - t0)) * 1000 };
  }
  const r = await measureThroughput({ ops: 200_000, warmup: 1, warmupOps: 20_000, runs: 3, maxMs: 10_000 }, (ops) =>
    within(lanes(call, window, ops, 3000), 30_000, "calls in flight"),
  );
  return { p50: best!.p50, p99: best!.p99, sequential: best!.rate, inflight: r.best };
}

/** `window` concurrent lanes making calls until `total` or `maxMs`; the calls completed. */
async function lanes(call: (n: number) => Promise<unknown>, window: number, total: number, maxMs: number): Promise<number> {
  const t0 = performance.now();
  let started = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (started < total && performance.now() - t0 < maxMs) {
      await call(started++);
      done++;
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return done;
}
