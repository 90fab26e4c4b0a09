// `npm run bench` runs every section; `npm run bench -- local remote` runs only those; `--json` also
// prints all rows as JSON at the end. Raw baselines a section refers to are measured in the same run.
import { machineInfo, printTable, type Row } from "./harness.js";
import { baselineGroups, type BaselineGroup } from "./sections/baselines.js";
import { sections } from "./sections/index.js";
import type { BenchContext } from "./sections/section.js";

const args = process.argv.slice(2);
const wanted = args.filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((w) => !sections.some((s) => s.name === w));
if (unknown.length) {
  console.error(`unknown section(s): ${unknown.join(", ")}; available: ${sections.map((s) => s.name).join(", ")}`);
  process.exit(2);
}

// Baseline groups run once each and one at a time (two cores: concurrent runs would skew each other).
const measured = new Map<BaselineGroup, Promise<Row[]>>();
let queue: Promise<unknown> = Promise.resolve();
const ctx: BenchContext = {
  async baseline(id) {
    const group = baselineGroups.find((g) => g.provides.includes(id));
    if (!group) throw new Error(`no raw baseline "${id}"`);
    let rows = measured.get(group);
    if (!rows) {
      rows = queue.then(() => group.measure());
      queue = rows.catch(() => {});
      measured.set(group, rows);
    }
    const row = (await rows).find((r) => r.id === id);
    if (!row) throw new Error(`baseline group did not report "${id}"`);
    return row;
  },
};

const m = machineInfo();
console.log(`casty bench  ${m.date}  ${m.cpu} × ${m.cores} cores  ${m.memGiB} GiB  node ${m.node}  load ${m.loadavg}`);

const all: Row[] = [];
let failed = false;
for (const section of sections.filter((s) => !wanted.length || wanted.includes(s.name))) {
  console.log(`\n${section.title}`);
  try {
    const rows = await section.run(ctx);
    const resolved = await Promise.all(
      rows.map(async (r) => (r.baseline && r.baselineValue === undefined ? { ...r, baselineValue: (await ctx.baseline(r.baseline)).value } : r)),
    );
    printTable(resolved);
    all.push(...resolved);
  } catch (err) {
    failed = true;
    console.error(`  section ${section.name} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
if (args.includes("--json")) console.log(JSON.stringify({ machine: m, rows: all }));
process.exitCode = failed ? 1 : 0;
