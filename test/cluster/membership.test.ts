import { describe, expect, it } from "vitest";
import { uniqueKey } from "../../src/cluster/member.js";
import {
  type ClusterState,
  down,
  emptyState,
  join,
  leave,
  markReachable,
  markSeen,
  markUnreachable,
  memberAt,
  merge,
  newVersion,
  pruneTombstones,
  removeMembers,
  unreachableAddresses,
} from "../../src/cluster/membership.js";
import { compareClocks } from "../../src/cluster/vector-clock.js";
import { addr, member, node, statuses, upCluster } from "./fixtures.js";

/** A state with exactly these members, versioned by node 1. */
function withMembers(...members: ReturnType<typeof member>[]): ClusterState {
  return newVersion({ ...emptyState, members }, node(1));
}

describe("join", () => {
  it("adds a Joining member in address order, bumps the joiner's clock entry and resets seen", () => {
    const one = join(emptyState, node(1), { ...node(3), roles: ["a"] }, 0);
    const two = join(markSeen(one.state, node(3)), node(1), { ...node(2), roles: [] }, 0);
    expect(one.outcome).toBe("joined");
    expect(two.state.members.map((m) => m.address)).toEqual([addr(2), addr(3)]);
    expect(memberAt(two.state, addr(3))).toEqual({ ...node(3), status: "joining", roles: ["a"], upNumber: 0 });
    expect(two.state.version.get(uniqueKey(node(1)))).toBe(2n);
    expect([...two.state.seen]).toEqual([uniqueKey(node(1))]);
  });

  it("is idempotent for the same incarnation", () => {
    const { state } = join(emptyState, node(1), { ...node(2), roles: [] }, 0);
    const again = join(state, node(1), { ...node(2), roles: [] }, 0);
    expect(again.outcome).toBe("already-member");
    expect(again.state).toBe(state);
  });

  it("a new incarnation downs a live predecessor first, then replaces it and tombstones it", () => {
    const cluster = upCluster(3);
    const first = join(cluster, node(1), { ...node(3, 2n), roles: [] }, 100);
    expect(first.outcome).toBe("old-incarnation-downed");
    expect(memberAt(first.state, addr(3))).toMatchObject({ uid: 1n, status: "down" });
    const retry = join(first.state, node(1), { ...node(3, 2n), roles: [] }, 200);
    expect(retry.outcome).toBe("joined");
    expect(memberAt(retry.state, addr(3))).toMatchObject({ uid: 2n, status: "joining" });
    expect(retry.state.tombstones.get(uniqueKey(node(3, 1n)))).toBe(200);
  });

  it("refuses a removed incarnation", () => {
    const state = removeMembers(upCluster(2), new Set([uniqueKey(node(2))]), 5);
    const result = join(state, node(1), { ...node(2), roles: [] }, 10);
    expect(result.outcome).toBe("incarnation-removed");
    expect(result.state).toBe(state);
  });
});

describe("leave and down", () => {
  it("leave moves Joining/Up to Leaving, and is a no-op (same object) otherwise", () => {
    const cluster = upCluster(3);
    const left = leave(cluster, node(2), addr(2));
    expect(memberAt(left, addr(2))?.status).toBe("leaving");
    expect(compareClocks(left.version, cluster.version)).toBe("after");
    expect(leave(left, node(2), addr(2))).toBe(left);
    expect(leave(down(cluster, node(1), addr(3)), node(1), addr(3)).members[2]?.status).toBe("down");
    expect(leave(cluster, node(1), addr(9))).toBe(cluster);
  });

  it("down applies to any status before Down, once", () => {
    const downed = down(leave(upCluster(2), node(2), addr(2)), node(1), addr(2));
    expect(memberAt(downed, addr(2))?.status).toBe("down");
    expect(down(downed, node(1), addr(2))).toBe(downed);
  });
});

describe("reachability marks", () => {
  it("unreachable and back: versioned by the observer, idempotent, visible in unreachableAddresses", () => {
    const cluster = upCluster(3);
    const lost = markUnreachable(cluster, node(1), addr(3));
    expect(unreachableAddresses(lost)).toEqual(new Set([addr(3)]));
    expect(lost.version.get(uniqueKey(node(1)))).toBe((cluster.version.get(uniqueKey(node(1))) ?? 0n) + 1n);
    expect(markUnreachable(lost, node(1), addr(3))).toBe(lost);
    const back = markReachable(lost, node(1), addr(3));
    expect(unreachableAddresses(back).size).toBe(0);
    expect(back.reachability.get(uniqueKey(node(1)))?.version).toBe(2n);
    expect(markReachable(back, node(1), addr(3))).toBe(back);
  });

  it("ignores self-observation, non-members, and observations made by Down members", () => {
    const cluster = upCluster(3);
    expect(markUnreachable(cluster, node(1), addr(1))).toBe(cluster);
    expect(markUnreachable(cluster, node(1), addr(7))).toBe(cluster);
    expect(markUnreachable(cluster, node(7), addr(1))).toBe(cluster);
    expect(markUnreachable(cluster, node(2, 9n), addr(1))).toBe(cluster);
    const byDowned = down(markUnreachable(cluster, node(3), addr(1)), node(1), addr(3));
    expect(unreachableAddresses(byDowned).size).toBe(0);
  });
});

describe("merge", () => {
  const a = markUnreachable(leave(upCluster(4), node(2), addr(2)), node(1), addr(4));
  const b = join(down(upCluster(4), node(3), addr(3)), node(3), { ...node(5), roles: [] }, 0).state;
  const c = markUnreachable(upCluster(4), node(2), addr(3));

  it("is commutative, associative and idempotent", () => {
    expect(merge(a, b)).toEqual(merge(b, a));
    expect(merge(merge(a, b), c)).toEqual(merge(a, merge(b, c)));
    expect(merge(a, a)).toEqual(a);
  });

  it("unites members and keeps the later status of each", () => {
    const merged = merge(a, b);
    expect(statuses(merged)).toEqual({ [addr(1)]: "up", [addr(2)]: "leaving", [addr(3)]: "down", [addr(4)]: "up", [addr(5)]: "joining" });
    expect(unreachableAddresses(merged)).toEqual(new Set([addr(4)]));
    expect(compareClocks(merged.version, a.version)).toBe("after");
    expect(compareClocks(merged.version, b.version)).toBe("after");
  });

  it("follows the precedence removed > down > exiting > leaving > up > joining", () => {
    const order = ["joining", "up", "leaving", "exiting", "down"] as const;
    for (const [i, lower] of order.entries()) {
      for (const higher of order.slice(i)) {
        const merged = merge(withMembers(member(2, lower, 1)), withMembers(member(2, higher, 1)));
        expect(merged.members[0]?.status).toBe(higher);
      }
    }
  });

  it("keeps the older upNumber of an incarnation", () => {
    const merged = merge(withMembers(member(2, "up", 4)), withMembers(member(2, "joining", 0)));
    expect(merged.members[0]).toMatchObject({ status: "up", upNumber: 4 });
  });

  it("a new incarnation replaces a Down one at the same address, whatever the argument order", () => {
    const old = withMembers(member(2, "down", 1, 1n));
    const fresh = withMembers(member(2, "joining", 0, 2n));
    expect(merge(old, fresh).members).toEqual([member(2, "joining", 0, 2n)]);
    expect(merge(fresh, old).members).toEqual([member(2, "joining", 0, 2n)]);
  });

  it("never lets a tombstoned incarnation come back, even from newer-looking gossip", () => {
    const removed = removeMembers(upCluster(3), new Set([uniqueKey(node(3))]), 7);
    const stale = markSeen(newVersion(newVersion(upCluster(3), node(3)), node(3)), node(3));
    const merged = merge(removed, stale);
    expect(memberAt(merged, addr(3))).toBeUndefined();
    expect(merged.version.has(uniqueKey(node(3)))).toBe(false);
    expect(merged.seen.has(uniqueKey(node(3)))).toBe(false);
    expect(merged.tombstones.get(uniqueKey(node(3)))).toBe(7);
  });

  it("keeps each observer's newest reachability row, so a withdrawn mark does not return", () => {
    const lost = markUnreachable(upCluster(3), node(1), addr(3));
    const back = markReachable(lost, node(1), addr(3));
    expect(unreachableAddresses(merge(lost, back)).size).toBe(0);
    const other = markUnreachable(upCluster(3), node(2), addr(3));
    expect(unreachableAddresses(merge(back, other))).toEqual(new Set([addr(3)]));
  });

  it("drops reachability rows about replaced incarnations", () => {
    const lost = markUnreachable(upCluster(3), node(1), addr(3));
    const replaced = join(down(lost, node(1), addr(3)), node(1), { ...node(3, 2n), roles: [] }, 0).state;
    const merged = merge(lost, replaced);
    expect(memberAt(merged, addr(3))?.uid).toBe(2n);
    expect(unreachableAddresses(merged).size).toBe(0);
  });

  it("seen: union for equal versions, the newer input's marks when it dominates, empty for a real merge", () => {
    const base = upCluster(2);
    const x = markSeen(newVersion(base, node(1)), node(1));
    const y = markSeen({ ...x, seen: new Set() }, node(2));
    expect(merge(x, y).seen).toEqual(new Set([uniqueKey(node(1)), uniqueKey(node(2))]));
    expect(merge(base, x).seen).toEqual(x.seen);
    expect(merge(newVersion(base, node(1)), newVersion(base, node(2))).seen.size).toBe(0);
  });
});

describe("tombstone pruning", () => {
  it("forgets tombstones older than the cutoff only", () => {
    let state = removeMembers(upCluster(3), new Set([uniqueKey(node(2))]), 100);
    state = removeMembers(state, new Set([uniqueKey(node(3))]), 500);
    expect([...pruneTombstones(state, 200).tombstones.keys()]).toEqual([uniqueKey(node(3))]);
    expect(pruneTombstones(state, 50)).toBe(state);
  });
});
