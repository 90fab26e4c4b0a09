// Phi-accrual failure detector (Hayashibara et al., as in Akka): instead of a yes/no timeout it gives
// phi = -log10(P(a heartbeat arrives later than now)), from the recent heartbeat intervals, so slow or
// jittery links get more patience automatically. Immutable: every heartbeat returns a new value.

export interface PhiConfig {
  /** Unavailable when phi exceeds this (8 ≈ a 1e-8 chance of a false suspicion under the model). */
  readonly threshold: number;
  /** Heartbeat intervals kept for the mean and deviation. */
  readonly maxSampleSize: number;
  /** Floor of the deviation, so perfectly regular heartbeats do not make the detector trigger-happy. */
  readonly minStdDeviationMs: number;
  /** Silence tolerated on top of the mean interval (GC pauses, busy event loop). */
  readonly acceptableHeartbeatPauseMs: number;
  /** Assumed interval before real ones are measured: the history starts as [est - est/4, est + est/4]. */
  readonly firstHeartbeatEstimateMs: number;
}

/** How often a monitoring node sends heartbeats; the detector defaults below assume it. */
export const defaultHeartbeatIntervalMs = 1000;

/**
 * Chosen so a killed node is detected within 3 s. With steady 1000 ms heartbeats the mean is 1000 ms
 * and the deviation sits at its 100 ms floor, so phi reaches 8 when (t - (1000 + 1000)) / 100 ≈ 5.22,
 * i.e. t ≈ 2.52 s after the last heartbeat. A kill lands 0–1 s after a heartbeat, so detection
 * follows 1.5–2.5 s after the kill (plus the caller's check period). Right after start the seeded
 * deviation (≈250 ms) stretches that to ≈3.3 s for the first few heartbeats.
 */
export const defaultPhiConfig: PhiConfig = {
  threshold: 8,
  maxSampleSize: 1000,
  minStdDeviationMs: 100,
  acceptableHeartbeatPauseMs: 1000,
  firstHeartbeatEstimateMs: defaultHeartbeatIntervalMs,
};

export interface PhiDetector {
  readonly config: PhiConfig;
  /** Recent heartbeat intervals (ms), oldest first. */
  readonly intervals: readonly number[];
  /** Time of the last heartbeat; undefined until the first one. */
  readonly lastHeartbeat: number | undefined;
}

export function newPhiDetector(config: Partial<PhiConfig> = {}): PhiDetector {
  const full = { ...defaultPhiConfig, ...config };
  const spread = full.firstHeartbeatEstimateMs / 4;
  return {
    config: full,
    intervals: [full.firstHeartbeatEstimateMs - spread, full.firstHeartbeatEstimateMs + spread],
    lastHeartbeat: undefined,
  };
}

/** The interval ending in a failure (the node was already suspected) is not recorded: it would skew the statistics. */
export function recordHeartbeat(detector: PhiDetector, now: number): PhiDetector {
  const last = detector.lastHeartbeat;
  if (last === undefined || !isAvailable(detector, now)) return { ...detector, lastHeartbeat: now };
  const intervals = [...detector.intervals, now - last].slice(-detector.config.maxSampleSize);
  return { ...detector, intervals, lastHeartbeat: now };
}

/** 0 before the first heartbeat: a node is not suspected before it was ever heard. */
export function phi(detector: PhiDetector, now: number): number {
  if (detector.lastHeartbeat === undefined) return 0;
  const { intervals, config } = detector;
  const mean = intervals.reduce((sum, x) => sum + x, 0) / intervals.length;
  const variance = intervals.reduce((sum, x) => sum + (x - mean) ** 2, 0) / intervals.length;
  const std = Math.max(Math.sqrt(variance), config.minStdDeviationMs);
  return phiOf(now - detector.lastHeartbeat, mean + config.acceptableHeartbeatPauseMs, std);
}

export function isAvailable(detector: PhiDetector, now: number): boolean {
  return phi(detector, now) < detector.config.threshold;
}

/** -log10 of the normal tail beyond `elapsed`, with Akka's logistic approximation of the normal CDF. */
function phiOf(elapsed: number, mean: number, std: number): number {
  const y = (elapsed - mean) / std;
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
  return elapsed > mean ? -Math.log10(e / (1 + e)) : -Math.log10(1 - 1 / (1 + e));
}
