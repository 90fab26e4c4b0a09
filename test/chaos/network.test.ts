// The chaos network's namespaces and bridge are removed on every exit path: by destroy, and by the
// next run when the runner that made them was killed.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeProcess } from "../support/node-process.js";
import { waitFor } from "../support/wait.js";
import { chaosNetwork } from "./network.js";

const root = process.getuid?.() === 0 && process.env.CASTY_CHAOS_NETNS !== "0";
const namespacesOf = (pid: number) =>
  execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.startsWith(`casty-${pid}-`));
const bridgesOf = (pid: number) =>
  execFileSync("ip", ["-o", "link", "show", "type", "bridge"], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes(`: cb${pid.toString(36).padStart(5, "0")}`));
const rules = (ns: string) => execFileSync("ip", ["netns", "exec", ns, "iptables", "-S"], { encoding: "utf8" });

describe.skipIf(!root)("the chaos network", () => {
  it("puts each node in a namespace, cuts and heals links there, and removes everything on destroy", async () => {
    const network = await chaosNetwork(2);
    try {
      const namespaces = namespacesOf(process.pid)
        .map((line) => line.split(" ")[0])
        .sort(); // `ip netns list` lists the newest first
      expect(namespaces).toHaveLength(2);
      expect(network.cut(0, 1)).toBe(true);
      expect(rules(namespaces[0])).toContain(`-A INPUT -s ${network.slots[1].host}/32 -j DROP`);
      network.heal(0, 1);
      expect(rules(namespaces[0])).not.toContain("DROP");
    } finally {
      network.destroy();
    }
    expect(namespacesOf(process.pid)).toEqual([]);
    expect(bridgesOf(process.pid)).toEqual([]);
  });

  it("removes what a killed run left when the next one starts", { timeout: 30_000 }, async () => {
    const child = new NodeProcess(join(import.meta.dirname, "fixtures/leave-network.ts"), []);
    try {
      await waitFor(() => child.address !== undefined, 20_000, `the network of the child: ${child.describe()}`);
      expect(namespacesOf(child.pid)).toHaveLength(2);
      expect(bridgesOf(child.pid)).toHaveLength(1);
    } finally {
      child.kill("SIGKILL");
    }
    await waitFor(() => child.exited !== undefined, 5000, "the child to die");
    // killed, it ran no cleanup (a chaos run in another worker may sweep its leftovers already)
    const next = await chaosNetwork(1);
    next.destroy();
    expect(namespacesOf(child.pid)).toEqual([]);
    expect(bridgesOf(child.pid)).toEqual([]);
  });
});
