// Three node processes with default settings; one is killed with SIGKILL: the other two must mark it
// unreachable within 5 s and remove it (keep-majority SBR) within 15 s.
import { afterEach, describe, expect, it } from "vitest";
import { NodeProcess } from "../../support/node-process.js";
import { sleep, waitFor } from "../../support/wait.js";

interface Line {
  readonly type: string;
  readonly at: number;
  readonly address?: string;
  readonly leader?: string | null;
  readonly uid?: string;
}

/** One node process and every line it printed, with membership read from its event lines. */
class ClusterNodeProcess extends NodeProcess<Line> {
  constructor(args: string[]) {
    super("test/cluster/fixtures/node.ts", args);
  }

  first(type: string, address?: string): Line | undefined {
    return this.lines.find((l) => l.type === type && (address === undefined || l.address === address));
  }

  /** Members this process currently counts (Up minus Removed, from its event lines). */
  upMembers(): string[] {
    const up = new Set<string>();
    for (const l of this.lines) {
      if (l.type === "MemberUp") up.add(l.address!);
      if (l.type === "MemberRemoved") up.delete(l.address!);
    }
    return [...up].sort();
  }

  leader(): string | null | undefined {
    return this.lines.filter((l) => l.type === "LeaderChanged").at(-1)?.leader;
  }
}

const processes: ClusterNodeProcess[] = [];
afterEach(async () => {
  for (const p of processes) p.kill("SIGKILL");
  await waitFor(() => processes.every((p) => p.exited !== undefined), 5000, "node processes to exit").finally(() => (processes.length = 0));
});

function start(args: string[]): ClusterNodeProcess {
  const p = new ClusterNodeProcess(args);
  processes.push(p);
  return p;
}

describe("multi-process cluster", () => {
  it("kill -9 of one of three node processes: unreachable within 5 s, removed within 15 s (default settings)", { timeout: 40_000 }, async () => {
    const first = start([]);
    await waitFor(() => first.first("up") !== undefined || first.exited !== undefined, 10_000, "the first node process Up").catch((e: Error) => {
      throw new Error(`${e.message}: ${first.describe()}`);
    });
    const others = [start(["--seeds", first.address!]), start(["--seeds", first.address!])];
    const all = [first, ...others];
    await waitFor(
      () => all.every((p) => p.address !== undefined && p.upMembers().length === 3) && new Set(all.map((p) => p.leader())).size === 1,
      15_000,
      "three node processes seeing three Up members and the same leader",
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${all.map((p) => p.describe()).join("\n")}`);
    });
    const addresses = all.map((p) => p.address!).sort();
    for (const p of all) expect(p.upMembers()).toEqual(addresses);

    // Heartbeat rounds run every second: let every survivor start monitoring the victim before the kill
    // (a node killed before anyone monitors it is suspected up to one round later: ≤ 4.3 s instead of ≤ 3.3 s).
    await sleep(1500);

    // kill the leader (the first node: lowest port is likely but not certain, so find it)
    const leaderAddress = first.leader()!;
    expect(all.map((p) => p.leader())).toEqual([leaderAddress, leaderAddress, leaderAddress]);
    const victim = all.find((p) => p.address === leaderAddress)!;
    const survivors = all.filter((p) => p !== victim);
    const killedAt = Date.now();
    victim.kill("SIGKILL");

    await waitFor(
      () => survivors.every((p) => p.first("UnreachableMember", leaderAddress) !== undefined),
      5000,
      "the survivors marking the killed node unreachable",
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${survivors.map((p) => p.describe()).join("\n")}`);
    });
    const unreachableAfter = survivors.map((p) => p.first("UnreachableMember", leaderAddress)!.at - killedAt);
    await waitFor(
      () => survivors.every((p) => p.first("MemberRemoved", leaderAddress) !== undefined),
      15_000 - (Date.now() - killedAt),
      "the survivors removing the killed node",
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${survivors.map((p) => p.describe()).join("\n")}`);
    });
    const removedAfter = survivors.map((p) => p.first("MemberRemoved", leaderAddress)!.at - killedAt);
    console.info(`kill -9 → unreachable after ${unreachableAfter.join(" / ")} ms, removed after ${removedAfter.join(" / ")} ms`);
    for (const t of unreachableAfter) expect(t).toBeLessThanOrEqual(5000);
    for (const t of removedAfter) expect(t).toBeLessThanOrEqual(15_000);
    const downed = survivors.map((p) => p.first("MemberDowned", leaderAddress));
    expect(downed.every((l) => l !== undefined)).toBe(true);

    // the two survivors agree on the rest, under the new leader
    const rest = survivors.map((p) => p.address!).sort();
    await waitFor(() => survivors.every((p) => p.leader() === rest[0]), 3000, "a new leader").catch((e: Error) => {
      throw new Error(`${e.message}: ${survivors.map((p) => p.describe()).join("\n")}`);
    });
    for (const p of survivors) {
      expect(p.upMembers()).toEqual(rest);
      expect(p.exited).toBeUndefined();
    }
    expect(victim.exited?.signal).toBe("SIGKILL");
  });

  it("SIGTERM: a node process leaves gracefully; the others remove it through Exiting at once", { timeout: 30_000 }, async () => {
    const first = start([]);
    await waitFor(() => first.first("up") !== undefined || first.exited !== undefined, 10_000, "the first node process Up");
    const others = [start(["--seeds", first.address!]), start(["--seeds", first.address!])];
    const all = [first, ...others];
    await waitFor(
      () => all.every((p) => p.address !== undefined && p.upMembers().length === 3) && new Set(all.map((p) => p.leader())).size === 1,
      15_000,
      "three node processes seeing three Up members and the same leader",
    ).catch((e: Error) => {
      throw new Error(`${e.message}: ${all.map((p) => p.describe()).join("\n")}`);
    });
    const leaving = others[1];
    const stay = all.filter((p) => p !== leaving);
    const at = Date.now();
    leaving.kill("SIGTERM");
    await waitFor(() => leaving.exited !== undefined, 5000, "the leaving process to exit");
    expect(leaving.exited).toEqual({ code: 0, signal: null });
    expect(leaving.first("stopped")).toBeDefined();
    await waitFor(() => stay.every((p) => p.first("MemberRemoved", leaving.address) !== undefined), 2000, "the others removing it");
    for (const p of stay) {
      expect(p.first("MemberLeft", leaving.address)).toBeDefined();
      expect(p.first("UnreachableMember", leaving.address)).toBeUndefined();
      expect(p.first("MemberRemoved", leaving.address)!.at - at).toBeLessThan(2000);
      expect(p.upMembers()).toEqual(stay.map((q) => q.address!).sort());
    }
  });
});
