// Shared by the cluster and sharding bench child scripts: quiet logs, clustered nodes on 127.0.0.1 with
// port 0, convergence checks, bounded waits and a line-oriented child node process.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { ClusteredActorSystem, type ClusterOptions } from "../../src/index.js";
import { BENCH_DIR, ROOT_DIR } from "../harness.js";

process.env.CASTY_LOG_LEVEL ??= "error";

/** A node on 127.0.0.1 with a free port; `leaveTimeout` is short so bench shutdowns stay quick. */
export function startNode(name: string, seedNodes: readonly string[], options: Partial<ClusterOptions> = {}): Promise<ClusteredActorSystem> {
  return ClusteredActorSystem.start({ name, host: "127.0.0.1", port: 0, logLevel: "error", leaveTimeout: 2000, ...options, seedNodes });
}

/** True when `system` sees exactly `expected` (sorted addresses) as members, all Up, none unreachable. */
export function seesAllUp(system: ClusteredActorSystem, expected: string): boolean {
  const state = system.cluster.state;
  return (
    state.unreachable.length === 0 &&
    state.members.length > 0 &&
    state.members.every((m) => m.status === "up") &&
    state.members
      .map((m) => m.address)
      .sort()
      .join(",") === expected
  );
}

/** Polls `check` every `pollMs` until true; rejects after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string, pollMs = 2): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Shuts systems down concurrently, bounded by `ms`. */
export async function shutdownAll(systems: readonly ClusteredActorSystem[], ms = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(systems.map((s) => s.shutdown())), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** A line of a node process: JSON with `type` and `at` (Date.now() in the child). */
export interface NodeLine {
  readonly type: string;
  readonly at: number;
  readonly [key: string]: unknown;
}

/**
 * A bench node script (path relative to bench/) in its own `node --import tsx` process, with every JSON
 * line it printed. stderr passes through; the process is killed after `timeoutMs` in any case.
 */
export class NodeProcess {
  readonly lines: NodeLine[] = [];
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly child: ChildProcess;
  private readonly exitedPromise: Promise<void>;
  private readonly timer: NodeJS.Timeout;

  constructor(script: string, args: readonly string[] = [], timeoutMs = 180_000, env: Readonly<Record<string, string>> = {}) {
    // BENCH_NODE_ARGS (space-separated, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") for profiling runs
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a.length > 0);
    this.child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", resolve(BENCH_DIR, script), ...args], {
      cwd: ROOT_DIR,
      stdio: ["pipe", "pipe", "inherit"],
      env: { ...process.env, CASTY_LOG_LEVEL: "error", ...env },
    });
    createInterface({ input: this.child.stdout! }).on("line", (text) => {
      if (!text.startsWith("{")) return;
      try {
        this.lines.push(JSON.parse(text) as NodeLine);
      } catch {
        // not a result line
      }
    });
    this.exitedPromise = new Promise((r) => this.child.once("exit", (code, signal) => ((this.exited = { code, signal }), r())));
    this.timer = setTimeout(() => this.kill("SIGKILL"), timeoutMs);
    this.timer.unref();
  }

  first(type: string, where: (l: NodeLine) => boolean = () => true): NodeLine | undefined {
    return this.lines.find((l) => l.type === type && where(l));
  }

  async waitFor(type: string, timeoutMs: number, where: (l: NodeLine) => boolean = () => true): Promise<NodeLine> {
    await waitUntil(() => this.first(type, where) !== undefined || this.exited !== undefined, timeoutMs, `a "${type}" line`, 5);
    const line = this.first(type, where);
    if (line === undefined) throw new Error(`node process exited (${JSON.stringify(this.exited)}) before a "${type}" line`);
    return line;
  }

  /** Writes one line to the child's stdin (a command). */
  send(line: string): void {
    this.child.stdin!.write(line + "\n");
  }

  kill(signal: NodeJS.Signals): void {
    if (this.exited === undefined) this.child.kill(signal);
  }

  /** Closes stdin (the node leaves and exits), SIGKILL after `ms`. */
  async stop(ms = 5000): Promise<void> {
    if (this.exited === undefined) {
      this.child.stdin!.end();
      const kill = setTimeout(() => this.kill("SIGKILL"), ms);
      await this.exitedPromise;
      clearTimeout(kill);
    }
    clearTimeout(this.timer);
  }
}

/** For node scripts run by a bench: JSON lines on stdout, "up" once Up, shutdown when stdin closes (bounded). */
export function serveNodeProcess(system: ClusteredActorSystem, shutdownMs: number): (l: Record<string, unknown>) => void {
  const line = (l: Record<string, unknown>) => process.stdout.write(JSON.stringify({ ...l, at: Date.now() }) + "\n");
  line({ type: "started", address: system.selfAddress });
  system.cluster.whenUp(60_000).then(
    () => line({ type: "up" }),
    (error: Error) => line({ type: "error", message: error.message }),
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void Promise.race([system.shutdown(), new Promise((r) => setTimeout(r, shutdownMs))]).finally(() => process.exit(0));
  };
  process.stdin.on("end", stop).on("close", stop).resume();
  setTimeout(stop, 600_000).unref();
  return line;
}
