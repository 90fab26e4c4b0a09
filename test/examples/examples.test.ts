// Runs every example as its own process (as a user would) and checks its exit code and output,
// so a broken runtime feature shows up as a failing example.
import * as grpc from "@grpc/grpc-js";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AccountServiceClient, type DepositResponse } from "../../examples/bank-service/gen/bank/v1/bank.js";
import { NodeProcess } from "../support/node-process.js";
import { waitFor } from "../support/wait.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const TIMEOUT_MS = 20_000;
/** The demo bounds itself at 60 s. */
const DEMO_TIMEOUT_MS = 70_000;

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: readonly string[];
}

function runExample(name: string, timeout: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", `examples/${name}.ts`],
      {
        cwd: root,
        timeout,
        killSignal: "SIGKILL",
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, CASTY_LOG_LEVEL: "info", NO_COLOR: "1" },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr, lines: stdout.split("\n").map((l) => l.trimEnd()) });
      },
    );
  });
}

/** Runs the example, requires a clean exit, and returns its stdout lines. */
async function run(name: string, timeout = TIMEOUT_MS): Promise<readonly string[]> {
  const result = await runExample(name, timeout);
  const context = `examples/${name}.ts exited with code ${result.code} signal ${result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
  expect(result.signal, context).toBeNull();
  expect(result.code, context).toBe(0);
  return result.lines;
}

/** Index of the first line equal to (or matching) `expected`; fails with the full output otherwise. */
function indexOf(lines: readonly string[], expected: string | RegExp): number {
  const index = lines.findIndex((l) => (typeof expected === "string" ? l === expected : expected.test(l)));
  expect(index, `expected a line ${String(expected)} in:\n${lines.join("\n")}`).toBeGreaterThanOrEqual(0);
  return index;
}

/** All `expected` lines are present, in this order (other lines may come between). */
function expectInOrder(lines: readonly string[], expected: readonly (string | RegExp)[]): void {
  let from = 0;
  for (const e of expected) {
    const index = indexOf(lines.slice(from), e);
    from += index + 1;
  }
}

describe.concurrent("examples", () => {
  it("hello.ts: the bot greets three times and stops", async () => {
    const lines = await run("hello");
    expectInOrder(lines, [
      "main: spawned /user/greeter and /user/bot",
      "greeter: Hello, World!",
      "bot: greeting 1 for World",
      "greeter: Hello, World!",
      "bot: greeting 2 for World",
      "greeter: Hello, World!",
      "bot: greeting 3 for World",
      "main: bot finished: greeted World 3 times",
      "main: bot is stopped",
    ]);
    expect(lines.filter((l) => l === "greeter: Hello, World!")).toHaveLength(3);
  });

  it("counter.ts: tell/ask give the expected values; timeouts and duplicate names are reported", async () => {
    const lines = await run("counter");
    expectInOrder(lines, [
      "counter value: 15",
      "counter value after reset and +1: 1",
      "concurrent asks saw: 2, 4, 7",
      "ask timed out: AskTimeoutError",
      'second "my-counter" refused: DuplicateActorNameError',
      "done",
    ]);
  });

  it("parent-child.ts: round-robin routing, Terminated for a stopped child, children stop before the parent", async () => {
    const lines = await run("parent-child");
    expectInOrder(lines, [
      "manager: spawned /user/manager/worker-1, /user/manager/worker-2, /user/manager/worker-3",
      "main: results 1, 4, 9, 16, 25, 36",
      "worker-2: postStop",
      "manager: Terminated(/user/manager/worker-2)",
      "main: /user/manager/worker-2 retired",
      "main: workers now worker-1, worker-3",
      "main: results 49, 64",
      // watching the already-dead worker delivers Terminated again, at once
      "manager: Terminated(/user/manager/worker-2)",
      "main: manager stopped",
    ]);
    // Round robin: each worker squared exactly two of the first six numbers.
    for (const [worker, squares] of [
      ["worker-1", ["1² = 1", "4² = 16"]],
      ["worker-2", ["2² = 4", "5² = 25"]],
      ["worker-3", ["3² = 9", "6² = 36"]],
    ] as const) {
      for (const s of squares) indexOf(lines, `${worker}: ${s}`);
    }
    expect(lines.some((l) => l.startsWith("worker-2: 7²") || l.startsWith("worker-2: 8²"))).toBe(false);
    // Children stop before their parent.
    const managerStop = indexOf(lines, "manager: postStop");
    expect(indexOf(lines, "worker-1: postStop")).toBeLessThan(managerStop);
    expect(indexOf(lines, "worker-3: postStop")).toBeLessThan(managerStop);
  });

  it("supervision.ts: restart resets state, the restart limit stops, the decider picks, escalation restarts the parent", async () => {
    const lines = await run("supervision");
    expectInOrder(lines, [
      "1. unsupervised",
      /^ {2}\[log\] \/user\/plain failed, stopping: boom$/,
      "plain: stopped, lookup -> undefined",
      "2. restart",
      "restartable: count before failure = 3",
      "event: ActorRestarted /user/restartable (transient glitch)",
      "restartable: setup (count = 0)",
      "restartable: count after restart = 1",
      "3. restart limit",
      "event: ActorRestarted /user/limited (failure 1)",
      "event: ActorRestarted /user/limited (failure 2)",
      /exceeded its restart limit, stopping: failure 3$/,
      "limited: stopped after 2 restarts within 10000 ms",
      "4. decider",
      "picky: after a TransientError count = 0",
      /\/user\/picky failed, stopping: corrupted state$/,
      "picky: stopped after a FatalError",
      "5. escalate",
      "child (generation 1): setup (count = 0)",
      "child: count = 1",
      /\/user\/parent\/child failed, escalating to \/user\/parent: cannot handle this$/,
      "event: ActorRestarted /user/parent (cannot handle this)",
      "child (generation 2): setup (count = 0)",
      "parent: now at generation 2; new child count = 0",
      "done",
    ]);
    // The limited actor restarted exactly twice, never a third time.
    expect(lines.filter((l) => l.startsWith("event: ActorRestarted /user/limited"))).toHaveLength(2);
  });

  it("lifecycle-events.ts: hooks run in order and the event stream sees started/restarted/stopped/unhandled/dead letters", async () => {
    const lines = await run("lifecycle-events");
    expectInOrder(lines, [
      "hook: preStart /user/db: opening…",
      "hook: preStart: open",
      'main: result #1 of "select 1"',
      'main: result #2 of "select 2"',
      'event: UnhandledMessage {"kind":"unknown-command"} at /user/db',
      "event: ActorRestarted /user/db: connection reset by peer",
      "hook: preRestart (connection reset by peer)",
      "hook: postRestart",
      'main: result #1 of "select 3"',
      "hook: postStop: closed",
      "event: ActorStopped /user/db",
      'event: DeadLetter {"kind":"unknown-command"} to /user/db: recipient is terminated',
      "main: dropNew processed 1, 2; dropOldest processed 4, 5",
      "main: unsubscribed; shutting down quietly",
    ]);
    indexOf(lines, "event: ActorStarted /user/db");
    for (const n of [3, 4, 5]) indexOf(lines, `event: DeadLetter {"n":${n}} to /user/bounded-dropNew: mailbox full (dropNew)`);
    for (const n of [1, 2, 3]) indexOf(lines, `event: DeadLetter {"n":${n}} to /user/bounded-dropOldest: mailbox full (dropOldest)`);
    // After unsubscribing, shutdown publishes nothing we print.
    const last = indexOf(lines, "main: unsubscribed; shutting down quietly");
    expect(lines.slice(last + 1).filter((l) => l.startsWith("event:"))).toEqual([]);
  });

  it("shopping-cart.ts: open → checked out, rejections, summary by ask, idle expiry by timer", async () => {
    const lines = await run("shopping-cart");
    expectInOrder(lines, [
      "add book:      ok (1 lines, total 24)",
      "add pen:       ok (2 lines, total 39)",
      "add lamp:      ok (3 lines, total 79)",
      "remove pen:    ok (2 lines, total 64)",
      "remove mug:    rejected: not in the cart: mug",
      "cart-alice: checked out, total 64",
      "checkout:      ok (2 lines, total 64)",
      "add after:     rejected: cart is already checked out",
      "summary:       checkedOut, 2x book, 1x lamp, total 64",
      "bob add:       ok (1 lines, total 5)",
      "cart-bob: idle for 200 ms, expiring with 1 item(s)",
      "cart-bob stopped: gone",
      "cart-alice still alive after 200 ms",
    ]);
    expect(lines.some((l) => l.startsWith("cart-alice: idle"))).toBe(false);
  });

  it("bank.ts: the bank settles every transfer, conserves money and reports its final balances", async () => {
    const lines = await run("bank");
    expectInOrder(lines, [
      "main: offering 58 transfers to the teller",
      "teller: tx #20 bob -> alice 9999 rejected: declined: risk score 0.97",
      "teller: tx #30 carol -> bob 5000 rejected: insufficient funds (carol has 270)",
      "fraud-check: tx #40: scoring API: 503 Service Unavailable after 39 checks; crashing",
      "event: ActorRestarted /user/bank/fraud-check",
      "bank: fraud check of tx #40 timed out (attempt 1); retrying",
      "teller: tx #45 alice -> dave 10 rejected: unknown account in alice -> dave",
      "main: teller: 58 transfers processed, 3 rejected",
      "bank: moved 310 from carol to alice; stopping carol",
      "bank: Terminated /user/bank/carol",
      "main: account carol closed",
      "=== final report ===",
      "balance alice: 1285",
      "balance bob: 465",
      "total: 1750 (opening total 1750: money conserved)",
      "transfers: 55 completed, 1 declined, 1 insufficient funds, 1 unknown account",
      "fraud-check: 1 restart(s), 1 retried check(s)",
    ]);
    // Backpressure: every offer was accepted, and the producer had to wait at least once.
    const offered = lines[indexOf(lines, /^main: offered 58 transfers to a mailbox of 8: 58 accepted, producer held back \d+ times$/)];
    expect(Number(/held back (\d+) times/.exec(offered)![1])).toBeGreaterThan(0);
    // The periodic timer reported progress at least once.
    indexOf(lines, /^bank: progress: \d+ transfers settled$/);
    // It finishes within a few seconds.
    const elapsed = Number(/^elapsed: (\d+) ms/.exec(lines[indexOf(lines, /^elapsed: \d+ ms; shutting down$/)])![1]);
    expect(elapsed).toBeLessThan(5000);
  });

  it("job-board.ts: distributed queue, counter and map; the singleton dispatcher moves when its node leaves; results on a topic", async () => {
    const lines = await run("job-board");
    expectInOrder(lines, [
      "dispatcher: running on node-1",
      "main: finished 10 jobs, result of job 7: 49",
      "main: workers used: 3",
      "main: node-1 leaves",
      "dispatcher: running on node-2",
      "main: the dispatcher runs on node-2; finished 15 jobs",
      "main: announced jobs 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15",
      "main: done",
    ]);
    expect(lines.filter((l) => l.startsWith("dispatcher: running"))).toHaveLength(2);
  });

  it(
    "demo.ts: three node processes; one killed with SIGKILL and restarted; no acknowledged deposit lost",
    async () => {
      const lines = await run("demo", DEMO_TIMEOUT_MS);
      expectInOrder(lines, [
        /cluster of 3 is up: (127\.0\.0\.1:\d+, ){2}127\.0\.0\.1:\d+$/,
        /live cluster page: http:\/\/127\.0\.0\.1:\d+\//,
        /deposits acknowledged/,
        /killing node 3 \(127\.0\.0\.1:\d+, \d+ shards\) with SIGKILL$/,
        /routing continues: all 30 accounts answered again/,
        /restarting node 3/,
        /node 3 is back after \d+ ms$/,
        "summary",
        /^ {2}nodes: 3 \((127\.0\.0\.1:\d+ up, ){2}127\.0\.0\.1:\d+ up\)$/,
        /^ {2}shards per node: /,
        /^ {2}commands acknowledged: \d+, lost: 0$/,
        /^ {2}failover time: \d+ ms$/,
        /all nodes stopped$/,
      ]);
      const shards = /shards per node: (.*)$/
        .exec(lines.find((l) => l.includes("shards per node:"))!)![1]
        .split(", ")
        .map((s) => Number(s.split(" ")[1]));
      expect(shards).toHaveLength(3);
      expect(shards.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      const acknowledged = Number(/commands acknowledged: (\d+)/.exec(lines.join("\n"))![1]);
      expect(acknowledged).toBeGreaterThan(0);
      // every acknowledged deposit is in a balance: the balances hold at least as many
      expect(Number(/balances: (\d+) in 30 accounts/.exec(lines.join("\n"))![1])).toBeGreaterThanOrEqual(acknowledged);
    },
    DEMO_TIMEOUT_MS + 5000,
  );

  it("bank-service/server.ts: a node serves bank.v1.AccountService on its port and leaves on SIGTERM", { timeout: 40_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "casty-bank-example-"));
    const node = new NodeProcess(`${root}examples/bank-service/server.ts`, [], { CASTY_PORT: "0", JOURNAL_PATH: join(dir, "bank.db") });
    try {
      const upLine = (): string | undefined => node.output.map((l) => /^stdout: bank node (\S+) is Up$/.exec(l)?.[1]).find((a) => a !== undefined);
      await waitFor(() => upLine() !== undefined || node.exited !== undefined, 20_000, `the node Up: ${node.describe()}`);
      const client = new AccountServiceClient(upLine()!, grpc.credentials.createInsecure());
      const deposit = (amount: number) =>
        new Promise<DepositResponse>((resolve, reject) =>
          client.deposit({ accountId: "example", amount }, (error, response) => (error ? reject(error) : resolve(response))),
        );
      expect(await deposit(5)).toEqual({ balance: 5 });
      expect(await deposit(7)).toEqual({ balance: 12 });
      client.close();
      node.kill("SIGTERM");
      await waitFor(() => node.exited !== undefined, 20_000, `the node to exit: ${node.describe()}`);
      expect(node.exited?.code, node.describe()).toBe(0);
    } finally {
      node.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
