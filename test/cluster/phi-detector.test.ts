import { describe, expect, it } from "vitest";
import { type PhiDetector, defaultPhiConfig, isAvailable, newPhiDetector, phi, recordHeartbeat } from "../../src/cluster/phi-detector.js";

function beats(detector: PhiDetector, times: readonly number[]): PhiDetector {
  return times.reduce(recordHeartbeat, detector);
}

/** Heartbeats every `interval` ms at 0, interval, …, (count - 1) · interval. */
function regular(count: number, interval = 1000, detector = newPhiDetector()): PhiDetector {
  return beats(
    detector,
    Array.from({ length: count }, (_, i) => i * interval),
  );
}

/** First elapsed time (10 ms steps) after the last heartbeat at which the detector gives up. */
function detectionDelay(detector: PhiDetector): number {
  const last = detector.lastHeartbeat!;
  let t = last;
  while (isAvailable(detector, t)) t += 10;
  return t - last;
}

describe("phi accrual failure detector", () => {
  it("defaults: threshold 8, 1 s acceptable pause, 100 ms min deviation, 1 s first estimate", () => {
    expect(defaultPhiConfig).toEqual({
      threshold: 8,
      maxSampleSize: 1000,
      minStdDeviationMs: 100,
      acceptableHeartbeatPauseMs: 1000,
      firstHeartbeatEstimateMs: 1000,
    });
  });

  it("suspects nobody before the first heartbeat", () => {
    expect(phi(newPhiDetector(), 1e9)).toBe(0);
    expect(isAvailable(newPhiDetector(), 1e9)).toBe(true);
  });

  it("phi rises with silence: concrete values for steady 1 s heartbeats", () => {
    const d = regular(1001); // the seeded estimate has left the 1000-sample window
    const last = d.lastHeartbeat!;
    expect(phi(d, last + 1000)).toBeLessThan(1e-6);
    expect(phi(d, last + 2000)).toBeCloseTo(Math.log10(2), 4); // at the mean (+ pause): P = 1/2
    expect(phi(d, last + 2200)).toBeCloseTo(1.643, 2);
    expect(phi(d, last + 2500)).toBeCloseTo(7.3, 1);
    expect(phi(d, last + 3000)).toBeCloseTo(37.58, 1);
    const samples = [0, 1000, 1500, 2000, 2200, 2400, 2500, 2600, 3000].map((t) => phi(d, last + t));
    expect(samples).toEqual([...samples].sort((a, b) => a - b));
  });

  it("detects a silent node about 2.5 s after its last heartbeat (≤ 3 s after a kill)", () => {
    const d = regular(1001);
    expect(isAvailable(d, d.lastHeartbeat! + 2500)).toBe(true);
    expect(isAvailable(d, d.lastHeartbeat! + 2530)).toBe(false);
    expect(detectionDelay(d)).toBe(2530);
    expect(detectionDelay(regular(30))).toBeLessThanOrEqual(2600);
  });

  it("starts from the first-heartbeat estimate, so it is more patient before real intervals are known", () => {
    expect(detectionDelay(regular(1))).toBe(3310);
    expect(detectionDelay(regular(6))).toBe(2700);
    // estimate 500 ms: mean 500 + pause 1000, deviation 125 → 1500 + 5.22 · 125 ≈ 2153
    expect(detectionDelay(regular(1, 1000, newPhiDetector({ firstHeartbeatEstimateMs: 500 })))).toBe(2160);
  });

  it("gets more patient with jittery heartbeats and a larger acceptable pause", () => {
    const jittery = beats(
      newPhiDetector(),
      Array.from({ length: 200 }, (_, i) => i * 1000 + (i % 2) * 400),
    );
    expect(detectionDelay(jittery)).toBeGreaterThan(detectionDelay(regular(200)) + 500);
    const patient = regular(200, 1000, newPhiDetector({ acceptableHeartbeatPauseMs: 3000 }));
    expect(detectionDelay(patient) - detectionDelay(regular(200))).toBe(2000);
  });

  it("respects the threshold setting", () => {
    const strict = regular(200, 1000, newPhiDetector({ threshold: 1 }));
    expect(detectionDelay(strict)).toBeLessThan(detectionDelay(regular(200)));
  });

  it("does not learn from the silence that ended in a failure, and recovers when heartbeats return", () => {
    const d = regular(100);
    const comeback = d.lastHeartbeat! + 60_000;
    const recovered = recordHeartbeat(d, comeback);
    expect(recovered.intervals).toEqual(d.intervals);
    expect(isAvailable(recovered, comeback + 1000)).toBe(true);
    expect(detectionDelay(recovered)).toBe(detectionDelay(d));
  });

  it("keeps at most maxSampleSize intervals and stays immutable", () => {
    const d = regular(50, 1000, newPhiDetector({ maxSampleSize: 10 }));
    expect(d.intervals).toEqual(Array(10).fill(1000));
    const before = regular(3);
    recordHeartbeat(before, 5000);
    expect(before.lastHeartbeat).toBe(2000);
    expect(before.intervals).toHaveLength(4);
  });
});
