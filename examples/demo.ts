// The main demo: `npm run demo` (`npm run demo -- --keep` leaves the cluster running for you to watch).
// Three node processes on 127.0.0.1 run event-sourced bank accounts, sharded over the cluster, each
// node on its own SqliteJournal file in a temp dir, every shard replicated to the other nodes
// (minAcks 1), with a distributed counter beside them; each serves the live cluster page. This process is a client (ClusterClient through the nodes' gateway): it deposits into 30
// accounts without pause, kills one node with SIGKILL, shows that the balances survive and routing
// continues, restarts the node, and ends with a summary. At most 60 s; every wait is bounded.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ClusterClient, type ClusterView } from "../src/index.js";
import type { AccountCommand } from "./demo/node.js";

const keep = process.argv.includes("--keep");
const ACCOUNTS = 30;
/** The whole demo ends (failing) if it has not finished by then. */
const BUDGET_MS = 60_000;

const began = performance.now();
const since = (start: number) => Math.round(performance.now() - start);
const log = (line: string) => console.log(`[${(since(began) / 1000).toFixed(1).padStart(4)} s] ${line}`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `promise`, or nothing after `ms` (its timer cleared either way, so that it keeps no process alive). */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Polls `check` every 100 ms until it holds; throws after `timeout` ms. */
async function until(what: string, timeout: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeout;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`gave up after ${timeout} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** A port free on 127.0.0.1 a moment ago (the nodes get fixed ports, so that a restarted one is at the same address). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One node process (examples/demo/node.ts) with its fixed ports. */
class Node {
  child: ChildProcess | undefined;
  http = "";
  private stderr = "";

  constructor(
    readonly index: number,
    readonly port: number,
    readonly httpPort: number,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process; resolves once it serves (its "started" line), rejects if it exits first. */
  start(seeds: readonly string[], dir: string): Promise<void> {
    const script = fileURLToPath(new URL("./demo/node.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        CASTY_NAME: "bank",
        CASTY_HOST: "127.0.0.1",
        CASTY_PORT: String(this.port),
        CASTY_SEEDS: seeds.join(","),
        CASTY_HTTP_PORT: String(this.httpPort),
        CASTY_LOG_LEVEL: "error",
        JOURNAL_PATH: join(dir, `node-${this.index}.db`),
        SHARED_JOURNAL_PATH: join(dir, "shared.db"),
      },
    });
    this.child = child;
    this.stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    return new Promise((resolve, reject) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        if (!line.startsWith("{")) return;
        const started = JSON.parse(line) as { type: string; http: string };
        if (started.type === "started") {
          this.http = started.http;
          resolve();
        }
      });
      child.once("exit", (code, signal) => reject(new Error(`node ${this.index} exited (${code ?? signal}) before it started: ${this.stderr}`)));
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child!.kill(signal);
  }

  /** Resolves once the process has exited (at once if it is not running). */
  exited(): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return Promise.resolve();
    return new Promise((resolve) => child.once("exit", () => resolve()));
  }
}

/** The cluster page's data, from the first node's HTTP port. */
async function view(node: Node): Promise<ClusterView> {
  const response = await fetch(`${node.http}/cluster.json`, { signal: AbortSignal.timeout(3000) });
  return (await response.json()) as ClusterView;
}

const upAndReachable = async (node: Node, count: number) => {
  try {
    const members = (await view(node)).members;
    return members.length === count && members.every((m) => m.status === "up" && m.reachable && !m.stale);
  } catch {
    return false;
  }
};

const dir = mkdtempSync(join(tmpdir(), "casty-demo-"));
const ports = await Promise.all(Array.from({ length: 6 }, () => freePort()));
const nodes = [0, 1, 2].map((i) => new Node(i + 1, ports[i], ports[i + 3]));
const seeds = nodes.map((n) => n.address);
let client: ClusterClient | undefined;

async function stopNodes(): Promise<void> {
  client?.close();
  for (const node of nodes) node.kill("SIGTERM"); // each leaves: hands its shards off, then exits
  await within(Promise.all(nodes.map((n) => n.exited())), 15_000);
  for (const node of nodes) node.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
}

const budget = setTimeout(() => {
  console.error(`the demo did not finish within ${BUDGET_MS / 1000} s`);
  void stopNodes().finally(() => process.exit(1));
}, BUDGET_MS);

try {
  // ---- three nodes ----
  log(`starting 3 node processes on 127.0.0.1, journals in ${dir}, shards replicated with minAcks 1`);
  await Promise.all(nodes.map((node) => node.start(seeds, dir)));
  await until("3 Up members", 20_000, () => upAndReachable(nodes[0], 3));
  log(`cluster of 3 is up: ${seeds.join(", ")}`);
  log(`live cluster page: ${nodes[0].http}/  (metrics: ${nodes[0].http}/metrics)`);
  client = await ClusterClient.connect({ contactPoints: seeds, timeout: 3000 });
  const counter = client.distributed().counter("deposits");

  // ---- traffic: each account deposits 1 after the other, all accounts at once ----
  const acknowledged = new Array<number>(ACCOUNTS).fill(0);
  const unanswered = new Array<number>(ACCOUNTS).fill(0);
  const lastAck = new Array<number>(ACCOUNTS).fill(0);
  const traffic = { sending: true }; // an object: the loops read it after awaits
  let counted = 0; // acknowledged deposits already added to the counter
  let counterAcked = 0;
  let counterUnanswered = 0;
  const total = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  const deposits = Array.from({ length: ACCOUNTS }, async (_, i) => {
    while (traffic.sending) {
      try {
        await client!.ask<number>("accounts", `acct-${i}`, (replyTo: AccountCommand["replyTo"]) => ({ kind: "deposit", amount: 1, replyTo }), {
          timeout: 2000,
        });
        acknowledged[i]++;
        lastAck[i] = performance.now();
      } catch {
        unanswered[i]++; // may or may not have been applied: it counts as neither acknowledged nor lost
        await sleep(100);
      }
      await sleep(10);
    }
  });
  const counting = (async () => {
    while (traffic.sending) {
      await sleep(500);
      const delta = total(acknowledged) - counted;
      if (delta === 0) continue;
      counted += delta;
      try {
        await counter.increment(delta);
        counterAcked += delta;
      } catch {
        counterUnanswered += delta;
      }
    }
  })();
  const progress = setInterval(() => log(`${total(acknowledged)} deposits acknowledged, ${total(unanswered)} unanswered`), 2000);

  await sleep(3000);
  const before = await view(nodes[0]);
  const victim = nodes[2];
  const shardsOf = (v: ClusterView, address: string) =>
    v.members.find((m) => m.address === address)?.snapshot?.regions.find((r) => r.name === "accounts")?.shards ?? 0;
  log(`killing node ${victim.index} (${victim.address}, ${shardsOf(before, victim.address)} shards) with SIGKILL`);
  const killedAt = performance.now();
  victim.kill("SIGKILL");
  await victim.exited();

  // ---- failover: every account answers again ----
  await until("every account to answer after the kill", 30_000, () => lastAck.every((t) => t > killedAt));
  const failoverMs = Math.max(...lastAck.map((t) => t - killedAt));
  // the first acknowledgement after the kill, per account: the slowest of them is the failover time
  log(`routing continues: all ${ACCOUNTS} accounts answered again within ${since(killedAt)} ms of the kill`);

  // ---- restart ----
  log(`restarting node ${victim.index} at ${victim.address}`);
  const restartedAt = performance.now();
  await victim.start(seeds, dir);
  log(`node ${victim.index}'s process serves after ${since(restartedAt)} ms; it joins`);
  await until("the restarted node Up", 20_000, () => upAndReachable(nodes[0], 3));
  log(`node ${victim.index} is back after ${since(restartedAt)} ms`);
  await sleep(1000);

  // ---- the books ----
  traffic.sending = false;
  clearInterval(progress);
  await within(Promise.all([...deposits, counting]), 10_000);
  const balances = await Promise.all(
    Array.from({ length: ACCOUNTS }, (_, i) =>
      client!.ask<number>("accounts", `acct-${i}`, (replyTo: AccountCommand["replyTo"]) => ({ kind: "getBalance", replyTo }), { timeout: 5000 }),
    ),
  );
  // a balance below its acknowledged deposits lost some; above them, unanswered deposits were applied
  const lost = balances.reduce((sum, balance, i) => sum + Math.max(0, acknowledged[i] - balance), 0);
  const applied = balances.reduce((sum, balance, i) => sum + Math.max(0, balance - acknowledged[i]), 0);
  const counterValue = await counter.get();
  const after = await view(nodes[0]);

  console.log("");
  console.log("summary");
  console.log(`  nodes: ${after.members.length} (${after.members.map((m) => `${m.address} ${m.status}`).join(", ")})`);
  console.log(`  shards per node: ${after.members.map((m) => `${m.address} ${shardsOf(after, m.address)}`).join(", ")}`);
  console.log(`  commands acknowledged: ${total(acknowledged)}, lost: ${lost}`);
  console.log(`  unanswered during the failover: ${total(unanswered)} (${applied} of them applied)`);
  console.log(`  failover time: ${Math.round(failoverMs)} ms`);
  console.log(`  distributed counter "deposits": ${counterValue} (${counterAcked} acknowledged, ${counterUnanswered} unanswered)`);
  console.log(`  balances: ${total(balances)} in ${ACCOUNTS} accounts`);
  clearTimeout(budget);
  if (lost > 0) process.exitCode = 1;
  if (keep) {
    log(`the cluster keeps running: ${nodes.map((n) => `${n.http}/`).join("  ")}  (Ctrl-C stops it)`);
    await new Promise<void>((resolve) => process.once("SIGINT", resolve));
  }
  await stopNodes();
  log("all nodes stopped");
} catch (error) {
  clearTimeout(budget);
  console.error(`the demo failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopNodes();
  process.exitCode = 1;
}
