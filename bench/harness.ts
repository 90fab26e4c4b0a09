// Benchmark helpers: throughput, latency percentiles, heap per object, table printing, child processes.
// Benchmarks print figures; they are not tests. Every loop here is bounded in count and time.
import { spawn, type ChildProcess } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT_DIR = dirname(BENCH_DIR);

// ---------------------------------------------------------------- rows and goals

/** A goal: relative to the baseline (`atLeastRatio: 0.5` = ≥50% of raw) or absolute in the row's unit. */
export type Goal = { readonly atLeastRatio: number } | { readonly atMostRatio: number } | { readonly atLeast: number } | { readonly atMost: number };

/** One printed figure. Casty rows name a raw baseline by `baseline` id; the runner fills `baselineValue`. */
export interface Row {
  readonly name: string;
  readonly value: number;
  readonly unit: string; // "msg/s", "hops/s", "µs", "bytes", …
  readonly id?: string; // baseline rows: the stable id other rows refer to
  readonly baseline?: string; // id of a raw baseline row (see bench/sections/baselines.ts)
  readonly baselineValue?: number; // set explicitly, or resolved by the runner from `baseline`
  readonly goal?: Goal;
  readonly note?: string;
}

export function formatValue(v: number, unit: string): string {
  const a = Math.abs(v);
  const s =
    a >= 1e9
      ? `${(v / 1e9).toFixed(2)}G`
      : a >= 1e6
        ? `${(v / 1e6).toFixed(2)}M`
        : a >= 1e4
          ? `${(v / 1e3).toFixed(1)}k`
          : a >= 100
            ? v.toFixed(0)
            : v.toFixed(a >= 10 ? 1 : 2);
  return `${s} ${unit}`;
}

function goalText(g: Goal, unit: string): string {
  if ("atLeastRatio" in g) return `goal ≥${Math.round(g.atLeastRatio * 100)}%`;
  if ("atMostRatio" in g) return `goal ≤${Math.round(g.atMostRatio * 100)}%`;
  if ("atLeast" in g) return `goal ≥ ${formatValue(g.atLeast, unit)}`;
  return `goal ≤ ${formatValue(g.atMost, unit)}`;
}

/** true/false when the goal can be judged, undefined otherwise. */
export function goalMet(r: Row): boolean | undefined {
  const g = r.goal;
  if (!g) return undefined;
  if ("atLeastRatio" in g) return r.baselineValue ? r.value / r.baselineValue >= g.atLeastRatio : undefined;
  if ("atMostRatio" in g) return r.baselineValue ? r.value / r.baselineValue <= g.atMostRatio : undefined;
  if ("atLeast" in g) return r.value >= g.atLeast;
  return r.value <= g.atMost;
}

/** Prints `name  value  raw <baseline>  ratio%  goal  ✓/✗` aligned in columns. */
export function printTable(rows: readonly Row[], out: (line: string) => void = console.log): void {
  const cells = rows.map((r) => {
    const met = goalMet(r);
    return [
      r.name,
      formatValue(r.value, r.unit),
      r.baselineValue !== undefined ? `raw ${formatValue(r.baselineValue, r.unit)}` : "",
      r.baselineValue ? `${Math.round((r.value / r.baselineValue) * 100)}%` : "",
      r.goal ? goalText(r.goal, r.unit) : "",
      met === undefined ? "" : met ? "✓" : "✗",
      r.note ?? "",
    ];
  });
  const widths = cells.reduce<number[]>((w, c) => c.map((s, i) => Math.max(w[i] ?? 0, s.length)), []);
  for (const c of cells) {
    out(("  " + c.map((s, i) => (i === 1 || i === 3 ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join("   ")).trimEnd());
  }
}

// ---------------------------------------------------------------- throughput

export interface ThroughputOptions {
  readonly ops: number; // operations per measured run
  readonly warmup?: number; // warm-up runs (default 1)
  readonly warmupOps?: number; // operations per warm-up run (default ops)
  readonly runs?: number; // measured runs (default 5)
  readonly maxMs?: number; // stop starting new runs after this (at least one measured run happens)
}

export interface ThroughputResult {
  readonly best: number; // ops/s
  readonly median: number; // ops/s
  readonly runs: readonly number[]; // ops/s of each measured run
}

/** Times `runOnce(ops)`; it may return the count actually done (time-bounded runs), else `ops` is assumed. */
export async function measureThroughput(opts: ThroughputOptions, runOnce: (ops: number) => void | number | Promise<void | number>): Promise<ThroughputResult> {
  const { ops, warmup = 1, runs = 5, maxMs = 20_000 } = opts;
  for (let i = 0; i < warmup; i++) await runOnce(opts.warmupOps ?? ops);
  const rates: number[] = [];
  const start = performance.now();
  while (rates.length < runs && (rates.length === 0 || performance.now() - start < maxMs)) {
    const t0 = performance.now();
    const done = (await runOnce(ops)) ?? ops;
    rates.push((done / (performance.now() - t0)) * 1000);
  }
  return { best: Math.max(...rates), median: median(rates), runs: rates };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---------------------------------------------------------------- latency

/**
 * Round trips before a sequential latency figure is measured, the raw baselines' and casty's alike:
 * enough for V8 to have optimized every function on the path (with 2,000, casty's path still ran
 * partly in baseline code, and its p50 came out 5 – 10% higher than in steady state).
 */
export const LATENCY_WARMUP = 20_000;

/** Latency samples in µs in a preallocated Float64Array; extra samples beyond capacity are dropped. */
/** One round of sequential round trips: its latency summary and round trips per second. */
export interface LatencyRound {
  readonly s: ReturnType<LatencyRecorder["summary"]>;
  readonly rate: number;
}

export class LatencyRecorder {
  private readonly samples: Float64Array;
  private n = 0;
  constructor(capacity: number) {
    this.samples = new Float64Array(capacity);
  }
  get count(): number {
    return this.n;
  }
  get full(): boolean {
    return this.n >= this.samples.length;
  }
  record(us: number): void {
    if (this.n < this.samples.length) this.samples[this.n++] = us;
  }
  /** Records the time since `t0` (a `performance.now()` value). */
  since(t0: number): void {
    this.record((performance.now() - t0) * 1000);
  }
  summary(): { count: number; p50: number; p90: number; p99: number; p999: number; max: number; mean: number } {
    const s = this.samples.slice(0, this.n).sort();
    const at = (p: number) => (this.n ? s[Math.min(this.n - 1, Math.floor(p * this.n))] : NaN);
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += s[i];
    return { count: this.n, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: at(1), mean: sum / this.n };
  }
}

// ---------------------------------------------------------------- heap

/** The `gc` function; the process must run with --expose-gc (runChild passes it). */
export function requireGc(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("heap measurement needs node --expose-gc (use runChild, which passes it)");
  return gc;
}

function keepAlive(_x: unknown): void {}

async function settledHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

/** Heap retained by `build(count)` (whatever it returns is kept alive until measured), per object. */
export async function measureHeap<T>(count: number, build: (count: number) => T | Promise<T>): Promise<{ totalBytes: number; bytesPerObject: number }> {
  const gc = requireGc();
  const before = await settledHeap(gc);
  const keep = await build(count);
  const after = await settledHeap(gc);
  keepAlive(keep); // `keep` stays reachable until the second measurement is done
  const totalBytes = after - before;
  return { totalBytes, bytesPerObject: totalBytes / count };
}

// ---------------------------------------------------------------- child processes

export interface ChildOptions {
  readonly args?: readonly string[]; // script arguments, e.g. ["--count=1000000"]
  readonly nodeArgs?: readonly string[]; // extra node options (default: --expose-gc)
  readonly timeoutMs?: number; // the child is killed after this (default 120 s)
}

/** BENCH_NODE_ARGS (space-separated, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"): node options of every bench child, for profiling runs. */
const profilingArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a.length > 0);

function spawnBench(script: string, opts: ChildOptions, stdin: "pipe" | "ignore"): ChildProcess {
  const file = isAbsolute(script) ? script : resolve(BENCH_DIR, script);
  const args = ["--expose-gc", ...profilingArgs, ...(opts.nodeArgs ?? []), "--import", "tsx", file, ...(opts.args ?? [])];
  return spawn(process.execPath, args, { cwd: ROOT_DIR, stdio: [stdin, "pipe", "inherit"] });
}

function jsonLines(text: string): unknown[] {
  return text.split("\n").flatMap((l) => {
    try {
      return l.trim().startsWith("{") || l.trim().startsWith("[") ? [JSON.parse(l) as unknown] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Runs a bench script (path relative to bench/) in a fresh `node --expose-gc --import tsx` process and
 * resolves with the last JSON line it printed on stdout (see `emit`). stderr is passed through.
 */
export function runChild<T>(script: string, opts: ChildOptions = {}): Promise<T> {
  return new Promise((resolveResult, reject) => {
    const child = spawnBench(script, opts, "ignore");
    let out = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const results = jsonLines(out);
      if (code === 0 && results.length) resolveResult(results[results.length - 1] as T);
      else reject(new Error(`${script} exited with ${signal ?? code}${results.length ? "" : ", no JSON result"}`));
    });
  });
}

/**
 * Starts a long-lived bench script (e.g. a server); `ready` resolves with its first JSON line.
 * `stop()` closes its stdin (the script should exit on stdin end) and kills it if it lingers.
 */
export function startChild<T>(script: string, opts: ChildOptions = {}): { ready: Promise<T>; stop(): Promise<void> } {
  const child = spawnBench(script, opts, "pipe");
  const exited = new Promise<void>((r) => child.once("close", () => r()));
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
  const ready = new Promise<T>((resolveReady, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const first = jsonLines(out)[0];
      if (first !== undefined) resolveReady(first as T);
    });
    child.once("close", (code) => reject(new Error(`${script} exited (${code}) before it was ready`)));
    child.once("error", reject);
  });
  ready.catch(() => {}); // observed by the caller; avoid an unhandled rejection after stop()
  return {
    ready,
    async stop() {
      child.stdin!.end();
      const kill = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(kill);
      clearTimeout(timer);
    },
  };
}

/** Child side: print the result as one JSON line on stdout. */
export function emit(result: unknown): void {
  process.stdout.write(JSON.stringify(result) + "\n");
}

/** Child side: read `--name=value` from argv as a number. */
export function argNumber(name: string, fallback: number): number {
  const v = argString(name, "");
  return v === "" ? fallback : Number(v);
}

export function argString(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const a = process.argv.find((x) => x.startsWith(prefix));
  return a === undefined ? fallback : a.slice(prefix.length);
}

// ---------------------------------------------------------------- machine

export function machineInfo(): { cpu: string; cores: number; node: string; memGiB: number; loadavg: string; date: string } {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? "unknown",
    cores: c.length,
    node: process.version,
    memGiB: Math.round(totalmem() / 2 ** 30),
    loadavg: loadavg()
      .map((x) => x.toFixed(2))
      .join(" "),
    date: new Date().toISOString(),
  };
}

/** One child-process figure of a section. */
export interface ChildFigure {
  readonly script: string;
  readonly args: string[];
  readonly timeoutMs: number;
}

/** Runs figures one at a time in fresh child processes; a failing one is reported and skipped. */
export async function runFigures(figures: readonly ChildFigure[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const { script, args, timeoutMs } of figures) {
    try {
      rows.push(...(await runChild<Row[]>(script, { args, timeoutMs })));
    } catch (err) {
      console.error(`  ${script} ${args.join(" ")} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return rows;
}
