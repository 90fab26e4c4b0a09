// examples/python-client against a 3-node cluster of node processes: stubs generated from proto/ at
// test time with Debian's python3-grpc-tools, then the example asks, tells, counts and watches, and
// fixtures/every_rpc.py calls every other RPC (Multiplex too) and gets the status codes left.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NodeProcess } from "../support/node-process.js";
import { waitFor } from "../support/wait.js";
import { NODE_SCRIPT, startProcesses, stopProcesses } from "./fixtures/processes.js";

const PYTHON = "/usr/bin/python3";
const probe = spawnSync(PYTHON, ["-c", "import grpc, grpc_tools.protoc"], { encoding: "utf8" });
const skip =
  probe.status === 0 ? undefined : "Python gateway client skipped: needs /usr/bin/python3 with python3-grpcio and python3-grpc-tools (scripts/setup.sh)";
const PROTOS = [
  "casty/v1/gateway.proto",
  "casty/v1/cluster.proto",
  "casty/v1/address.proto",
  "casty/v1/value.proto",
  "casty/v1/actor_ref.proto",
  "greeter/v1/greeter.proto",
];

let processes: NodeProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "casty-py-gateway-"));
afterAll(async () => {
  await stopProcesses(processes);
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe.skipIf(skip !== undefined)("Python gateway client", () => {
  it("asks and tells sharded entities, counts and watches the membership from Python", { timeout: 90_000 }, async () => {
    const lonely = new NodeProcess(NODE_SCRIPT, ["--seeds", "127.0.0.1:1"]); // joins nothing: never Up
    processes = [lonely]; // stopped by afterAll even if the cluster fails to start
    processes.push(...(await startProcesses(3)));
    await waitFor(() => lonely.address !== undefined, 20_000, `the node that is never Up: ${lonely.describe()}`);
    execFileSync(PYTHON, [
      "-m",
      "grpc_tools.protoc",
      "-Iproto",
      "-Iexamples/python-client/proto",
      `--python_out=${dir}`,
      `--grpc_python_out=${dir}`,
      ...PROTOS,
    ]);
    const lines = execFileSync(PYTHON, ["examples/python-client/client.py", dir, processes[2].address!], { encoding: "utf8", timeout: 60_000 })
      .trim()
      .split("\n");
    expect(lines).toEqual([
      "greeting: Hello, Ada (count 1)",
      "greeting: Hello, Ada (count 3)",
      "balance: 15",
      "counter: 3",
      expect.stringMatching(/^members: 3 up, leader 127\.0\.0\.1:\d+$/),
      "error: NOT_FOUND",
      "error: INVALID_ARGUMENT",
      "error: DEADLINE_EXCEEDED",
      "error: RESOURCE_EXHAUSTED",
    ]);

    const every = execFileSync(PYTHON, ["test/gateway/fixtures/every_rpc.py", dir, processes[3].address!, lonely.address!], {
      encoding: "utf8",
      timeout: 60_000,
    })
      .trim()
      .split("\n");
    expect(every).toEqual([
      "state: 3 members, leader set, 0 unreachable",
      "counter: 3 3",
      "map: None a b True True None",
      "set: True False True 1 True",
      "queue: 2 j1 ['j1', 'j2', None]",
      "destroyed counter: 0",
      "multiplex: told 4 NOT_FOUND INVALID_ARGUMENT DEADLINE_EXCEEDED",
      "error: INVALID_ARGUMENT",
      "error: UNAVAILABLE",
    ]);
  });
});
if (skip !== undefined) console.warn(skip);
