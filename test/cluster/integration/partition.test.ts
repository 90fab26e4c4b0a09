// Network partitions through the fault-injection hook (blockPeer on both sides): the split-brain
// resolver (keep-majority) keeps the majority side and the minority downs itself.
import { afterEach, describe, expect, it } from "vitest";
import { MemberDowned, MemberRemoved, UnreachableMember, type ClusteredActorSystem } from "../../../src/index.js";
import { sleep, waitFor } from "../../support/wait.js";
import { ClusterNodes, lowestAddress, view, waitForConvergence } from "./nodes.js";

const nodes = new ClusterNodes();
afterEach(() => nodes.shutdownAll());

const fast = {
  heartbeatInterval: 200,
  failureDetector: { acceptableHeartbeatPause: 600 },
  downing: { stableAfter: 1000 },
};

function partition(left: readonly ClusteredActorSystem[], right: readonly ClusteredActorSystem[]): void {
  for (const l of left) {
    for (const r of right) {
      l.blockPeer(r.selfAddress);
      r.blockPeer(l.selfAddress);
    }
  }
}

interface Journal {
  readonly removed: string[];
  readonly downed: string[];
  readonly unreachable: string[];
}

function journal(system: ClusteredActorSystem): Journal {
  const j: Journal = { removed: [], downed: [], unreachable: [] };
  system.cluster.subscribe(MemberRemoved, (e) => j.removed.push(e.address));
  system.cluster.subscribe(MemberDowned, (e) => j.downed.push(e.address));
  system.cluster.subscribe(UnreachableMember, (e) => j.unreachable.push(e.address));
  return j;
}

/**
 * Samples every 20 ms until stopped which live, Up nodes believe they are the leader: per side, at
 * most one at any time (the minority's own leader exists only until it downs itself). `stop` returns
 * the violations and the self-leaders seen last.
 */
function leaderWatch(sides: readonly (readonly ClusteredActorSystem[])[]): { stop: () => { violations: string[]; last: string[] } } {
  const violations: string[] = [];
  let last: string[] = [];
  const sample = () => {
    last = [];
    for (const side of sides) {
      const leaders = side.filter((s) => !s.isTerminated && s.cluster.selfMember?.status === "up" && s.cluster.leader === s.selfAddress);
      if (leaders.length > 1) violations.push(`two leaders on one side: ${leaders.map((s) => s.selfAddress).join(", ")}`);
      last.push(...leaders.map((s) => s.selfAddress));
    }
  };
  const timer = setInterval(sample, 20);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { violations, last };
    },
  };
}

async function fiveNodes(): Promise<ClusteredActorSystem[]> {
  const systems = await nodes.cluster(5, fast);
  // A..E in address order (A is the leader)
  return [...systems].sort((x, y) => (lowestAddress([x.selfAddress, y.selfAddress]) === x.selfAddress ? -1 : 1));
}

async function expectMinorityOut(minority: readonly ClusteredActorSystem[], majority: readonly ClusteredActorSystem[]): Promise<void> {
  // out of the cluster: downed/removed in their own view, and (shutdownWhenRemoved) terminated
  await waitFor(() => minority.every((s) => s.isTerminated), 10_000, `the minority ${minority.map((s) => s.selfAddress).join(", ")} to stop`).catch(
    (error: Error) => {
      throw new Error(
        `${error.message}; minority views: ${JSON.stringify(minority.map((s) => [s.selfAddress, view(s), s.cluster.state.unreachable, s.isTerminated]))}`,
      );
    },
  );
  for (const s of minority) {
    const me = s.cluster.selfMember;
    expect(me === undefined || me.status === "down" || me.status === "removed").toBe(true);
    // the minority never took the majority's members out
    for (const m of majority) expect(view(s)).not.toContain(`${m.selfAddress}:down`);
  }
}

describe("partition", () => {
  it("{A,B,C} | {D,E}: the majority removes D and E and keeps one leader; D and E down themselves", async () => {
    const [a, b, c, d, e] = await fiveNodes();
    const majority = [a, b, c];
    const minority = [d, e];
    const journals = new Map([...majority, ...minority].map((s) => [s, journal(s)]));
    const watch = leaderWatch([majority, minority]);

    const started = Date.now();
    partition(majority, minority);
    await waitForConvergence(majority, 15_000);
    const removedAfter = Date.now() - started;
    await expectMinorityOut(minority, majority);
    await sleep(500); // nothing more happens on the majority
    await waitForConvergence(majority, 1000);

    expect(watch.stop()).toEqual({ violations: [], last: [a.selfAddress] });
    for (const s of majority) {
      expect(s.cluster.leader).toBe(a.selfAddress);
      expect(journals.get(s)!.removed.sort()).toEqual([d.selfAddress, e.selfAddress].sort());
      expect(journals.get(s)!.downed).not.toContain(a.selfAddress);
      expect(s.isTerminated).toBe(false);
    }
    for (const s of minority) {
      // the minority's own leader never removed anyone of the majority
      const removedHere = journals.get(s)!.removed;
      for (const m of majority) expect(removedHere).not.toContain(m.selfAddress);
    }
    expect(removedAfter).toBeLessThan(10_000);
  });

  it("{A,B} | {C,D,E}: the old leader's side is the minority; C leads the rest", async () => {
    const [a, b, c, d, e] = await fiveNodes();
    const minority = [a, b];
    const majority = [c, d, e];
    const journals = new Map(majority.map((s) => [s, journal(s)]));
    const watch = leaderWatch([majority, minority]);

    partition(minority, majority);
    await waitForConvergence(majority, 15_000);
    await expectMinorityOut(minority, majority);
    await waitForConvergence(majority, 1000);
    expect(watch.stop()).toEqual({ violations: [], last: [c.selfAddress] });
    for (const s of majority) {
      expect(s.cluster.leader).toBe(c.selfAddress);
      expect(journals.get(s)!.removed.sort()).toEqual([a.selfAddress, b.selfAddress].sort());
    }
  });

  it("a short partition that heals before stable-after downs no one", async () => {
    const systems = await fiveNodes();
    const [a, b, c, d, e] = systems;
    const journals = new Map(systems.map((s) => [s, journal(s)]));
    partition([a, b, c], [d, e]);
    await waitFor(() => journals.get(a)!.unreachable.length > 0, 5000, "a to see someone unreachable");
    for (const l of [a, b, c]) {
      for (const r of [d, e]) {
        l.unblockPeer(r.selfAddress);
        r.unblockPeer(l.selfAddress);
      }
    }
    await waitForConvergence(systems, 5000);
    await sleep(1500);
    await waitForConvergence(systems, 1000);
    for (const s of systems) expect(journals.get(s)!.downed).toEqual([]);
  });

  it("{A,B} | {C,D}: on a tie the side with the lowest address keeps the cluster", async () => {
    const systems = await nodes.cluster(4, fast);
    const [a, b, c, d] = [...systems].sort((x, y) => (lowestAddress([x.selfAddress, y.selfAddress]) === x.selfAddress ? -1 : 1));
    partition([a, b], [c, d]);
    await waitForConvergence([a, b], 15_000);
    await expectMinorityOut([c, d], [a, b]);
    expect(a.cluster.leader).toBe(a.selfAddress);
  });

  it("a cut link between A and C (both still reach B): A and C are indirectly connected and go; B stays", async () => {
    const systems = await nodes.cluster(3, fast);
    const [a, b, c] = [...systems].sort((x, y) => (lowestAddress([x.selfAddress, y.selfAddress]) === x.selfAddress ? -1 : 1));
    partition([a], [c]);
    await waitForConvergence([b], 15_000);
    await waitFor(() => a.isTerminated && c.isTerminated, 5000, "a and c to stop");
    expect(b.cluster.leader).toBe(b.selfAddress);
  });
});
