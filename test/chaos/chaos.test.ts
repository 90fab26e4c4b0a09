// Real faults against node processes, checked afterwards on the recorded history (see README.md here).
// `npm test` runs the short profile (one scenario: the leader killed); `npm run test:chaos` (CASTY_CHAOS=full) runs every
// scenario and writes REPORT.md.
import { afterAll, describe, expect, it } from "vitest";
import { replicationAvailable } from "./fixtures/replication.js";
import { writeReport } from "./report.js";
import { runScenario, type ScenarioResult } from "./run.js";
import { scenarios } from "./scenarios.js";

const full = process.env.CASTY_CHAOS === "full";
const only = process.env.CASTY_CHAOS_SCENARIO;
const replication = replicationAvailable();
const WORKLOAD = { accounts: 8, workers: 4, pace: 25, maxOps: 20_000, timeout: 3000, replicated: replication };
const SHORT = ["kill the leader and coordinator"];

const chosen = scenarios.filter((s) => (only !== undefined ? s.name.includes(only) : full ? true : SHORT.includes(s.name)));
const results: ScenarioResult[] = [];

afterAll(() => {
  if (full && only === undefined && results.length > 0) writeReport(results);
});

describe("chaos", () => {
  for (const scenario of chosen) {
    it.skipIf(scenario.replication === true && !replication)(`${scenario.name} (seed ${scenario.seed})`, { timeout: 180_000 }, async () => {
      const result = await runScenario(scenario, WORKLOAD, full ? 5000 : 3000);
      results.push(result);
      console.log(`${scenario.name}: ${JSON.stringify(result.counts)}, recovered after ${result.recoveredAfter} ms\n  ${result.steps.join("\n  ")}`);
      expect(result.counts.ok).toBeGreaterThan(0);
      expect(result.violations).toEqual([]);
    });
  }
});
