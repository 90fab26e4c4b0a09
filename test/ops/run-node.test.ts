// runNode in real processes: SIGTERM makes a node leave and exit 0; a bad variable exits 1 naming it.
import { afterEach, describe, expect, it } from "vitest";
import { NodeProcess } from "../support/node-process.js";
import { waitFor } from "../support/wait.js";

const processes: NodeProcess[] = [];
afterEach(() => {
  for (const p of processes.splice(0)) p.kill("SIGKILL");
});

function start(args: string[]): NodeProcess {
  const p = new NodeProcess("test/ops/fixtures/run-node.ts", args);
  processes.push(p);
  return p;
}

const seen = (p: NodeProcess, type: string, address?: string): boolean =>
  p.lines.some((l) => l.type === type && (address === undefined || l.address === address));

describe("runNode", () => {
  it("SIGTERM: the node leaves the cluster and the process exits 0; the other node removes it", { timeout: 40_000 }, async () => {
    const first = start([]);
    await waitFor(() => seen(first, "up") || first.exited !== undefined, 15_000, "the first node Up").catch((e: Error) => {
      throw new Error(`${e.message}: ${first.describe()}`);
    });
    const second = start(["--seeds", first.address!]);
    await waitFor(() => seen(first, "MemberUp", second.address) && seen(second, "up"), 15_000, "two nodes Up").catch((e: Error) => {
      throw new Error(`${e.message}: ${first.describe()} ${second.describe()}`);
    });
    second.kill("SIGTERM");
    await waitFor(() => second.exited !== undefined, 15_000, "the second node to exit");
    expect(second.exited, second.describe()).toEqual({ code: 0, signal: null });
    expect(second.output.join("")).toContain(`${second.address} left the cluster after SIGTERM`);
    await waitFor(() => seen(first, "MemberRemoved", second.address), 5000, "the first node removing the second");
    expect(seen(first, "UnreachableMember", second.address)).toBe(false);

    first.kill("SIGTERM"); // the last member: leaving alone is clean too
    await waitFor(() => first.exited !== undefined, 15_000, "the first node to exit");
    expect(first.exited, first.describe()).toEqual({ code: 0, signal: null });
  });

  it("a bad variable: the process exits 1 and says which variable and what it accepts", { timeout: 20_000 }, async () => {
    const p = start(["--port", "70000"]);
    await waitFor(() => p.exited !== undefined, 15_000, "the process to exit");
    expect(p.exited).toEqual({ code: 1, signal: null });
    expect(p.output.join("")).toMatch(/the node did not start: CASTY_PORT="70000" is invalid: expected port to bind/);
  });
});
