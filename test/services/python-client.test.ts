// examples/bank-service: three node processes of server.ts (bank.v1.AccountService on sharded,
// event-sourced accounts in one SQLite journal file), and the Python client with stubs generated
// from bank.proto at test time, depositing on while the node it talks to leaves.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { NodeProcess } from "../support/node-process.js";
import { waitFor } from "../support/wait.js";

const PYTHON = "/usr/bin/python3";
const probe = spawnSync(PYTHON, ["-c", "import grpc, grpc_tools.protoc"], { encoding: "utf8" });
const skip =
  probe.status === 0 ? undefined : "Python bank client skipped: needs /usr/bin/python3 with python3-grpcio and python3-grpc-tools (scripts/setup.sh)";
const SERVER = join(import.meta.dirname, "../../examples/bank-service/server.ts");

const dir = mkdtempSync(join(tmpdir(), "casty-py-bank-"));
const processes: NodeProcess[] = [];
afterAll(async () => {
  for (const p of processes) p.kill("SIGTERM");
  await waitFor(() => processes.every((p) => p.exited !== undefined), 20_000, "the bank nodes to exit").catch(() => {
    for (const p of processes) p.kill("SIGKILL");
  });
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

/** What the node printed after "bank node ADDRESS ", once it did. */
const printed = (node: NodeProcess, what: string): string | undefined =>
  node.output.map((line) => new RegExp(`^stdout: bank node (\\S+) ${what}$`).exec(line)?.[1]).find((address) => address !== undefined);

function bankNode(seeds: readonly string[]): NodeProcess {
  const node = new NodeProcess(SERVER, [], { CASTY_HOST: "127.0.0.1", CASTY_PORT: "0", CASTY_SEEDS: seeds.join(","), JOURNAL_PATH: join(dir, "bank.db") });
  processes.push(node);
  return node;
}

async function startCluster(): Promise<string[]> {
  const first = bankNode([]);
  await waitFor(() => printed(first, "serves bank.v1.AccountService") !== undefined, 20_000, `the first node: ${first.describe()}`);
  const seed = printed(first, "serves bank.v1.AccountService")!;
  const others = [bankNode([seed]), bankNode([seed])];
  const all = [first, ...others];
  await waitFor(() => all.every((p) => printed(p, "is Up") !== undefined), 30_000, `3 nodes Up: ${all.map((p) => p.describe()).join("\n")}`);
  return all.map((p) => printed(p, "is Up")!);
}

describe.skipIf(skip !== undefined)("Python client of examples/bank-service", () => {
  it("calls every method kind from Python and keeps every confirmed deposit while its node leaves", { timeout: 90_000 }, async () => {
    const addresses = await startCluster();
    execFileSync(PYTHON, ["-m", "grpc_tools.protoc", "-Iexamples/bank-service/proto", `--python_out=${dir}`, `--grpc_python_out=${dir}`, "bank/v1/bank.proto"]);
    // the client talks to the third node first: that one leaves
    const leaving = processes[2];
    const client = spawn(PYTHON, ["examples/bank-service/client.py", dir, [addresses[2], addresses[0], addresses[1]].join(",")], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    const lines: string[] = [];
    const errors: string[] = [];
    let exit: number | null | undefined;
    createInterface({ input: client.stdout }).on("line", (line) => lines.push(line));
    client.stderr.on("data", (chunk: Buffer) => errors.push(chunk.toString()));
    client.on("exit", (code) => (exit = code));
    try {
      const context = () => `client: ${lines.join("\n")}\n${errors.join("")}`;
      await waitFor(() => lines.includes("leave now") || exit !== undefined, 30_000, `the client's first steps: ${context()}`);
      leaving.kill("SIGTERM");
      await waitFor(() => leaving.exited !== undefined, 30_000, `the third node to leave: ${leaving.describe()}`);
      expect(leaving.exited?.code).toBe(0); // it handed its accounts off and left
      client.stdin.end("left\n");
      await waitFor(() => exit !== undefined, 40_000, `the client to finish: ${context()}`);
      expect(exit, context()).toBe(0);
      expect(lines).toEqual([
        "deposits: 10 accounts, total 1000",
        "withdraw: balance 70",
        "error: FAILED_PRECONDITION",
        "error: INVALID_ARGUMENT",
        "history: +100 -> 100",
        "history: -30 -> 70",
        "batch: 3 deposits, total 6",
        "operate: 110, 105",
        "leave now",
        expect.stringMatching(/^after the leave: \d+ deposits, \d+ unanswered, [1-9]\d* moved to another node$/),
        "balances: every confirmed deposit is in",
      ]);
    } finally {
      client.kill("SIGKILL");
    }
  });
});
if (skip !== undefined) console.warn(skip);
