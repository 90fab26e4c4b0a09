// Runs a range of seeds of the whole-stack simulation; a failing seed is printed with its trace and how
// to replay it. CASTY_SIM_SEED=<seed> runs only that seed (in the file whose range has it) and prints
// its trace.
import { expect, it } from "vitest";
import { simulate } from "./scenario.js";

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
  it(`seeds ${first}..${first + count - 1} (crash, leader crash, partition or no fault) keep every guarantee`, { timeout: 600_000 }, async () => {
    expect(await failures(file, seeds, false)).toEqual([]);
  });
}
