// The whole stack in virtual time (test/chaos/sim): seeds 1..500 here, 501..1000 in
// simulation-more.test.ts (two files, so two workers share them), each run with one random fault and
// every check of the history. Replay a seed: CASTY_SIM_SEED=<seed> npx vitest run test/chaos/simulation.test.ts
import { describe, expect, it } from "vitest";
import { simulate } from "./sim/scenario.js";
import { seededRuns } from "./sim/seeds.js";

describe("the whole stack in virtual time", () => {
  it("is deterministic: a seed replays the same run", async () => {
    const [a, b] = [await simulate(7), await simulate(7)];
    expect(a.trace.length).toBeGreaterThan(3);
    expect(b.trace).toEqual(a.trace);
    expect(b.outcomes).toEqual(a.outcomes);
  });

  seededRuns("test/chaos/simulation.test.ts", 1, 500);
});
