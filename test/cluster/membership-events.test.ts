import { describe, expect, it } from "vitest";
import { leaderActions } from "../../src/cluster/leader.js";
import { down, emptyState, join, leave, markReachable, markUnreachable, removeMembers } from "../../src/cluster/membership.js";
import { diffEvents } from "../../src/cluster/membership-events.js";
import { uniqueKey } from "../../src/cluster/member.js";
import { addr, member, node, seenByAll, upCluster } from "./fixtures.js";

describe("diffEvents", () => {
  it("replays the current state against the empty one: members Up, unreachable ones, the leader", () => {
    const state = markUnreachable(upCluster(3), node(1), addr(2));
    expect(diffEvents(emptyState, state, node(1))).toEqual([
      { type: "MemberUp", member: member(1, "up", 1) },
      { type: "MemberUp", member: member(2, "up", 2) },
      { type: "MemberUp", member: member(3, "up", 3) },
      { type: "UnreachableMember", member: member(2, "up", 2) },
      { type: "LeaderChanged", address: addr(1) },
    ]);
  });

  it("reports nothing for Joining members or an unchanged state", () => {
    const cluster = upCluster(2);
    expect(diffEvents(cluster, join(cluster, node(1), { ...node(3), roles: [] }, 0).state)).toEqual([]);
    expect(diffEvents(cluster, cluster)).toEqual([]);
  });

  it("follows a leave: MemberLeft, MemberExited, then MemberRemoved with the previous status", () => {
    const cluster = upCluster(3);
    const leaving = leave(cluster, node(3), addr(3));
    const exiting = leaderActions(seenByAll(leaving), node(1), 0).state;
    const removed = leaderActions(seenByAll(exiting), node(1), 0).state;
    expect(diffEvents(cluster, leaving)).toEqual([{ type: "MemberLeft", member: member(3, "leaving", 3) }]);
    expect(diffEvents(leaving, exiting)).toEqual([{ type: "MemberExited", member: member(3, "exiting", 3) }]);
    expect(diffEvents(exiting, removed)).toEqual([{ type: "MemberRemoved", member: member(3, "removed", 3), previousStatus: "exiting" }]);
  });

  it("reports only the latest status when gossip skips steps", () => {
    const cluster = upCluster(2);
    const joined = join(cluster, node(1), { ...node(3), roles: [] }, 0).state;
    const upThenLeaving = leave(leaderActions(seenByAll(joined), node(1), 0).state, node(3), addr(3));
    expect(diffEvents(joined, upThenLeaving)).toEqual([{ type: "MemberLeft", member: member(3, "leaving", 3) }]);
  });

  it("reports MemberDowned, reachability changes, and never self as unreachable", () => {
    const cluster = upCluster(3);
    const lost = markUnreachable(markUnreachable(cluster, node(2), addr(1)), node(1), addr(3));
    expect(diffEvents(cluster, lost, node(1))).toEqual([
      { type: "UnreachableMember", member: member(3, "up", 3) },
      { type: "LeaderChanged", address: addr(2) }, // node 2 finds node 1 unreachable
    ]);
    const back = markReachable(lost, node(1), addr(3));
    expect(diffEvents(lost, back, node(1))).toEqual([{ type: "ReachableMember", member: member(3, "up", 3) }]);
    expect(diffEvents(cluster, down(cluster, node(1), addr(2)))).toEqual([{ type: "MemberDowned", member: member(2, "down", 2) }]);
  });

  it("a replaced incarnation is removed before its successor shows up, and leader changes are reported", () => {
    const cluster = upCluster(2);
    const downed = down(cluster, node(2), addr(1));
    const replaced = join(downed, node(2), { ...node(1, 2n), roles: [] }, 0).state;
    expect(diffEvents(cluster, downed)).toEqual([
      { type: "MemberDowned", member: member(1, "down", 1) },
      { type: "LeaderChanged", address: addr(2) },
    ]);
    const up = leaderActions(seenByAll(replaced), node(2), 0).state;
    expect(diffEvents(downed, up)).toEqual([
      { type: "MemberRemoved", member: member(1, "removed", 1), previousStatus: "down" },
      { type: "MemberUp", member: member(1, "up", 3, 2n) },
      { type: "LeaderChanged", address: addr(1) },
    ]);
    expect(diffEvents(cluster, removeMembers(cluster, new Set([uniqueKey(node(1)), uniqueKey(node(2))]), 0)).at(-1)).toEqual({
      type: "LeaderChanged",
      address: undefined,
    });
  });
});
