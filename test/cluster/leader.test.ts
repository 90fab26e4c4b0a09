import { describe, expect, it } from "vitest";
import { isConvergence, leader, leaderActions } from "../../src/cluster/leader.js";
import { uniqueKey } from "../../src/cluster/member.js";
import { down, emptyState, join, leave, markSeen, markUnreachable, memberAt, merge, newVersion } from "../../src/cluster/membership.js";
import { addr, member, node, seenByAll, statuses, upCluster } from "./fixtures.js";

describe("convergence", () => {
  it("needs every reachable non-joining member to have seen the version", () => {
    const cluster = upCluster(3);
    expect(isConvergence(cluster)).toBe(true);
    const changed = newVersion(cluster, node(1));
    expect(isConvergence(changed)).toBe(false);
    expect(isConvergence(markSeen(changed, node(2)))).toBe(false);
    expect(isConvergence(markSeen(markSeen(changed, node(2)), node(3)))).toBe(true);
  });

  it("does not wait for Joining members", () => {
    const joined = join(upCluster(2), node(1), { ...node(3), roles: [] }, 0).state;
    expect(isConvergence(markSeen(joined, node(2)))).toBe(true);
  });

  it("is blocked by an unreachable member until it is Down, then ignores it", () => {
    const lost = markUnreachable(upCluster(3), node(1), addr(3));
    expect(isConvergence(seenByAll(lost))).toBe(false);
    const downed = down(lost, node(1), addr(3));
    expect(isConvergence(markSeen(markSeen(downed, node(1)), node(2)))).toBe(true);
  });

  it("ignores unreachability observed only by Down members", () => {
    const state = down(markUnreachable(upCluster(3), node(3), addr(1)), node(1), addr(3));
    expect(isConvergence(markSeen(markSeen(state, node(1)), node(2)))).toBe(false); // node 3 (Down, reachable) has not seen
    expect(isConvergence(seenByAll(state))).toBe(true);
  });
});

describe("leader", () => {
  it("is the lowest reachable Up/Leaving address, skipping unreachable ones", () => {
    const cluster = upCluster(4);
    expect(leader(cluster)).toBe(addr(1));
    expect(leader(markUnreachable(cluster, node(2), addr(1)))).toBe(addr(2));
    expect(leader(leave(cluster, node(1), addr(1)))).toBe(addr(1));
    const exiting = leaderActions(seenByAll(leave(cluster, node(1), addr(1))), node(1), 0).state;
    expect(memberAt(exiting, addr(1))?.status).toBe("exiting");
    expect(leader(exiting)).toBe(addr(2));
    expect(leader(down(cluster, node(2), addr(1)))).toBe(addr(2));
  });

  it("prefers Up members over Joining ones, and falls back to Joining while forming", () => {
    const forming = join(join(emptyState, node(2), { ...node(2), roles: [] }, 0).state, node(2), { ...node(1), roles: [] }, 0).state;
    expect(leader(forming)).toBe(addr(1));
    const mixed = join(upCluster(3), node(1), { ...node(0), roles: [] }, 0).state;
    expect(leader(mixed)).toBe(addr(1));
    expect(leader(emptyState)).toBeUndefined();
  });

  it("can be chosen among members with a role", () => {
    const state = newVersion({ ...emptyState, members: [member(1, "up", 1), member(2, "up", 2, 1n, ["db"]), member(3, "up", 3, 1n, ["db"])] }, node(1));
    expect(leader(state, "db")).toBe(addr(2));
    expect(leader(state, "web")).toBeUndefined();
  });

  it("is the same on nodes that merged the same gossips in different orders", () => {
    const a = join(upCluster(2), node(2), { ...node(5), roles: [] }, 0).state;
    const b = markUnreachable(upCluster(2), node(2), addr(1));
    expect(leader(merge(a, b))).toBe(leader(merge(b, a)));
    expect(leader(merge(a, b))).toBe(addr(2));
  });
});

describe("leader actions", () => {
  it("walk a member through joining → up → leaving → exiting → removed, one converged step at a time", () => {
    let state = upCluster(2);
    state = seenByAll(join(state, node(1), { ...node(3), roles: [] }, 0).state);
    let step = leaderActions(state, node(1), 10);
    expect(step.changes).toEqual([{ member: member(3, "up", 3), from: "joining" }]);
    expect(step.state.seen).toEqual(new Set([uniqueKey(node(1))]));

    state = seenByAll(leave(step.state, node(3), addr(3)));
    step = leaderActions(state, node(1), 20);
    expect(step.changes).toEqual([{ member: member(3, "exiting", 3), from: "leaving" }]);
    expect(leaderActions(step.state, node(1), 25).changes).toEqual([]); // not converged: node 3 must see it exits

    step = leaderActions(seenByAll(step.state), node(1), 30);
    expect(step.changes).toEqual([{ member: member(3, "removed", 3), from: "exiting" }]);
    expect(memberAt(step.state, addr(3))).toBeUndefined();
    expect(step.state.tombstones.get(uniqueKey(node(3)))).toBe(30);
    expect(step.state.version.has(uniqueKey(node(3)))).toBe(false);
  });

  it("assigns upNumbers in address order after the highest existing one", () => {
    let state = upCluster(2);
    state = join(state, node(1), { ...node(9), roles: [] }, 0).state;
    state = join(state, node(1), { ...node(4), roles: [] }, 0).state;
    const { state: next } = leaderActions(seenByAll(state), node(1), 0);
    expect(next.members.map((m) => [m.address, m.upNumber])).toEqual([
      [addr(1), 1],
      [addr(2), 2],
      [addr(4), 3],
      [addr(9), 4],
    ]);
  });

  it("do nothing on a non-leader or before convergence", () => {
    const state = seenByAll(join(upCluster(2), node(1), { ...node(3), roles: [] }, 0).state);
    expect(leaderActions(state, node(2), 0).state).toBe(state);
    expect(leaderActions(state, node(1, 2n), 0).state).toBe(state); // a successor of the leader's address, not yet member
    const unconverged = newVersion(state, node(2));
    expect(leaderActions(unconverged, node(1), 0).changes).toEqual([]);
  });

  it("remove an unreachable Down member once the reachable ones have seen it", () => {
    const lost = markUnreachable(upCluster(3), node(1), addr(3));
    expect(leaderActions(seenByAll(lost), node(1), 0).changes).toEqual([]); // unreachable Up blocks
    const downed = markSeen(markSeen(down(lost, node(1), addr(3)), node(1)), node(2));
    const { state, changes } = leaderActions(downed, node(1), 50);
    expect(changes.map((c) => [c.member.address, c.from, c.member.status])).toEqual([[addr(3), "down", "removed"]]);
    expect(statuses(state)).toEqual({ [addr(1)]: "up", [addr(2)]: "up" });
    expect(state.reachability.get(uniqueKey(node(1)))?.unreachable.size).toBe(0);
  });

  it("bootstrap: a lone joining first node moves itself Up", () => {
    const alone = markSeen(join(emptyState, node(1), { ...node(1), roles: [] }, 0).state, node(1));
    const { changes } = leaderActions(alone, node(1), 0);
    expect(changes).toEqual([{ member: member(1, "up", 1), from: "joining" }]);
  });
});
