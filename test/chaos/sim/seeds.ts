// Runs a range of seeds of the whole-stack simulation; a failing seed is printed with its trace and how
// to replay it. CASTY_SIM_SEED=<seed> runs only that seed (in the file whose range has it) and prints
// its trace.
import { expect, it } from "vitest";
import { plan, simulate, type FaultKind } from "./scenario.js";

/**
 * Partitions break single-writer today (see test/chaos/README.md, "Known defect"; 16 of the 402
 * partition seeds): the node cut off becomes leader of its side, its region the coordinator, and after
 * the rebuild window it allocates the shards of members it cannot reach but that are still Up, so two
 * instances of an entity run at once (stale reads, and two owners of a shard after the heal). Those seeds run as an expected failure, which
 * fails once the defect is fixed: then move them into the passing runs.
 */
const KNOWN_BROKEN: readonly FaultKind[] = ["partition"];

/** The failing seeds among `seeds` (only the first when `firstOnly`), each with its replay line and trace. */
async function failures(file: string, seeds: readonly number[], verbose: boolean, firstOnly = false): Promise<string[]> {
  const found: string[] = [];
  for (const seed of seeds) {
    const result = await simulate(seed);
    const summary = `seed ${seed} (${result.fault}, ${result.ops} operations)`;
    if (verbose) console.log(`${summary}\n  ${result.trace.join("\n  ")}\n  ${result.violations.map((v) => `${v.check} ${v.key}: ${v.detail}`).join("\n  ")}`);
    if (result.violations.length > 0)
      found.push(
        `${summary}: ${result.violations.map((v) => `${v.check} ${v.key}: ${v.detail}`).join("; ")}\n  replay: CASTY_SIM_SEED=${seed} npx vitest run ${file}\n  ${result.trace.join("\n  ")}`,
      );
    if (firstOnly && found.length > 0) break;
  }
  return found;
}

export function seededRuns(file: string, first: number, count: number): void {
  const only = process.env.CASTY_SIM_SEED === undefined ? undefined : Number(process.env.CASTY_SIM_SEED);
  if (only !== undefined) {
    if (only >= first && only < first + count) it(`seed ${only}`, { timeout: 60_000 }, async () => expect(await failures(file, [only], true)).toEqual([]));
    return;
  }
  const seeds = Array.from({ length: count }, (_, i) => first + i);
  const sound = seeds.filter((s) => !KNOWN_BROKEN.includes(plan(s).kind));
  const broken = seeds.filter((s) => KNOWN_BROKEN.includes(plan(s).kind));
  it(
    `${sound.length} seeds of ${first}..${first + count - 1} with a crash, a leader crash or no fault keep every guarantee`,
    { timeout: 600_000 },
    async () => {
      expect(await failures(file, sound, false)).toEqual([]);
    },
  );
  it.fails(
    `seeds of ${first}..${first + count - 1} with a partition (${broken.length}) still find the known single-writer defect`,
    { timeout: 600_000 },
    async () => {
      expect(await failures(file, broken, false, true)).toEqual([]);
    },
  );
}
