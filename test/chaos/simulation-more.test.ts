// Seeds 501..1000 of the whole-stack simulation (see simulation.test.ts).
import { describe } from "vitest";
import { seededRuns } from "./sim/seeds.js";

describe("the whole stack in virtual time, more seeds", () => {
  seededRuns("test/chaos/simulation-more.test.ts", 501, 500);
});
