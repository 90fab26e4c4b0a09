import { describe, expect, it } from "vitest";
import { type DowningConfig, type DowningStrategy, decideDowning, defaultDowningConfig } from "../../src/cluster/downing.js";
import { type ClusterState, down, join, markUnreachable } from "../../src/cluster/membership.js";
import { addr, node, upCluster } from "./fixtures.js";

/** What the nodes in `side` see of an n-node cluster (upNumber = node number) cut off from the others. */
function partitioned(n: number, side: readonly number[], base: ClusterState = upCluster(n)): ClusterState {
  let state = base;
  for (const observer of side) {
    for (let subject = 1; subject <= n; subject++) if (!side.includes(subject)) state = markUnreachable(state, node(observer), addr(subject));
  }
  return state;
}

const stable = { now: 10_000, stableSince: 0 };

function decide(state: ClusterState, strategy: DowningStrategy = { kind: "keep-majority" }) {
  return decideDowning({ state, ...stable }, { ...defaultDowningConfig, strategy });
}

const downs = (nodes: number[], reason: string) => ({ action: "down", nodes: nodes.map(addr), reason });

describe("split-brain resolver", () => {
  it("defaults: keep-majority, stable after 5 s, down all after 3.75 s more of instability", () => {
    expect(defaultDowningConfig).toEqual({ strategy: { kind: "keep-majority" }, stableAfterMs: 5000, downAllWhenUnstableMs: 3750 });
  });

  it("does nothing while everyone is reachable", () => {
    expect(decide(upCluster(3))).toEqual({ action: "none" });
  });

  it("waits until the picture has been stable for stableAfterMs", () => {
    const state = partitioned(3, [1, 2]);
    expect(decideDowning({ state, now: 4000, stableSince: 1000 })).toEqual({ action: "wait", until: 6000 });
    expect(decideDowning({ state, now: 6000, stableSince: 1000 })).toEqual(downs([3], "unreachable-side"));
  });

  it("downs everyone when the picture stays unstable for too long", () => {
    const state = partitioned(3, [1, 2]);
    const config: DowningConfig = { ...defaultDowningConfig, downAllWhenUnstableMs: 1000 };
    expect(decideDowning({ state, now: 5900, stableSince: 5000, unreachableSince: 0 }, config)).toEqual({ action: "wait", until: 10_000 });
    expect(decideDowning({ state, now: 6000, stableSince: 5000, unreachableSince: 0 }, config)).toEqual(downs([1, 2, 3], "all"));
    const never: DowningConfig = { ...defaultDowningConfig, downAllWhenUnstableMs: undefined };
    expect(decideDowning({ state, now: 60_000, stableSince: 59_000, unreachableSince: 0 }, never).action).toBe("wait");
  });

  describe("keep-majority", () => {
    it("the majority downs the unreachable minority, the minority downs itself", () => {
      expect(decide(partitioned(5, [1, 2, 3]))).toEqual(downs([4, 5], "unreachable-side"));
      expect(decide(partitioned(5, [4, 5]))).toEqual(downs([4, 5], "own-side"));
    });

    it("a crashed node in a 3-node cluster is downed by the other two", () => {
      expect(decide(partitioned(3, [1, 3]))).toEqual(downs([2], "unreachable-side"));
    });

    it("an equal split keeps the side with the lowest address", () => {
      expect(decide(partitioned(4, [1, 4]))).toEqual(downs([2, 3], "unreachable-side"));
      expect(decide(partitioned(4, [2, 3]))).toEqual(downs([2, 3], "own-side"));
    });

    it("counts only Up/Leaving members (optionally with a role), but downs Joining ones on the losing side", () => {
      let state = join(upCluster(3), node(1), { ...node(4), roles: [] }, 0).state;
      state = join(state, node(1), { ...node(5), roles: [] }, 0).state;
      expect(decide(partitioned(5, [1, 2], state))).toEqual(downs([3, 4, 5], "unreachable-side"));
      expect(decide(partitioned(5, [3, 4, 5], state))).toEqual(downs([3, 4, 5], "own-side"));
    });

    it("ignores members that are already Down", () => {
      const state = down(partitioned(3, [1, 2]), node(1), addr(3));
      expect(decide(state)).toEqual({ action: "none" });
    });
  });

  describe("static-quorum", () => {
    const quorum3: DowningStrategy = { kind: "static-quorum", quorumSize: 3 };

    it("a side with at least quorumSize members survives", () => {
      expect(decide(partitioned(5, [1, 2, 3]), quorum3)).toEqual(downs([4, 5], "unreachable-side"));
      expect(decide(partitioned(5, [4, 5]), quorum3)).toEqual(downs([4, 5], "own-side"));
      expect(decide(partitioned(4, [1, 2]), quorum3)).toEqual(downs([1, 2], "own-side"));
    });

    it("downs everything when the cluster outgrew 2 · quorumSize − 1 (two quorums possible)", () => {
      expect(decide(partitioned(6, [1, 2, 3]), quorum3)).toEqual(downs([1, 2, 3, 4, 5, 6], "all"));
    });
  });

  describe("keep-oldest", () => {
    const oldest: DowningStrategy = { kind: "keep-oldest", downIfAlone: false };
    const oldestUnlessAlone: DowningStrategy = { kind: "keep-oldest", downIfAlone: true };

    it("the side with the oldest member survives, even as a minority", () => {
      expect(decide(partitioned(5, [1, 5]), oldest)).toEqual(downs([2, 3, 4], "unreachable-side"));
      expect(decide(partitioned(5, [2, 3, 4]), oldest)).toEqual(downs([2, 3, 4], "own-side"));
    });

    it("with downIfAlone, an oldest cut off alone goes instead", () => {
      expect(decide(partitioned(4, [1]), oldestUnlessAlone)).toEqual(downs([1], "own-side"));
      expect(decide(partitioned(4, [2, 3, 4]), oldestUnlessAlone)).toEqual(downs([1], "unreachable-side"));
      expect(decide(partitioned(4, [1, 2]), oldestUnlessAlone)).toEqual(downs([3, 4], "unreachable-side"));
    });
  });

  describe("indirectly connected nodes", () => {
    it("two nodes that lost only each other are both downed", () => {
      const state = markUnreachable(markUnreachable(upCluster(5), node(1), addr(3)), node(3), addr(1));
      expect(decide(state)).toEqual(downs([1, 3], "indirectly-connected"));
    });

    it("go along with the strategy's decision about the cleanly unreachable ones", () => {
      let state = markUnreachable(markUnreachable(upCluster(5), node(1), addr(3)), node(3), addr(1));
      state = markUnreachable(markUnreachable(state, node(2), addr(5)), node(4), addr(5));
      expect(decide(state)).toEqual(downs([1, 3, 5], "unreachable-side"));
    });
  });
});
