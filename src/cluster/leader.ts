// Convergence, leader choice and the leader's member transitions. Every node computes the same leader
// from the same state, and the leader only acts on a converged state, so two leaders never disagree.

import { type Member, type MemberStatus, type UniqueAddress, uniqueKey } from "./member.js";
import { type ClusterState, isMember, newVersion, removeMembers, unreachableAddresses } from "./membership.js";

/** Statuses whose members must have seen a state before it counts as converged. */
const mustSee: ReadonlySet<MemberStatus> = new Set(["up", "leaving", "exiting", "down"]);

/**
 * Converged when every unreachable member is already Down or Exiting (the leader may remove those
 * without their ack), and every reachable member but Joining ones has seen the current version.
 * Reachable Exiting and Down members count so they learn their fate (and stop) before removal.
 */
export function isConvergence(state: ClusterState): boolean {
  const unreachable = unreachableAddresses(state);
  return state.members.every((m) =>
    unreachable.has(m.address) ? m.status === "down" || m.status === "exiting" : !mustSee.has(m.status) || state.seen.has(uniqueKey(m)),
  );
}

/**
 * Lowest address among reachable Up/Leaving members (optionally only those with `role`); while none is
 * Up yet (a forming cluster), the lowest reachable Joining member, so the first node can move itself Up.
 */
export function leader(state: ClusterState, role?: string): string | undefined {
  const unreachable = unreachableAddresses(state);
  const candidates = state.members.filter((m) => !unreachable.has(m.address) && (role === undefined || m.roles.includes(role)));
  const lowest = (statuses: readonly MemberStatus[]) => candidates.find((m) => statuses.includes(m.status))?.address;
  return lowest(["up", "leaving"]) ?? lowest(["joining"]);
}

export interface MemberChange {
  /** The member after the change (status "removed" for removals). */
  readonly member: Member;
  readonly from: MemberStatus;
}

/**
 * What the leader does each tick once converged: Joining → Up (upNumbers assigned in address order),
 * Leaving → Exiting, Exiting and Down → removed (tombstoned at `now`). One step per member per call,
 * so every step is seen by all before the next. Non-leaders and unconverged states change nothing.
 */
export function leaderActions(state: ClusterState, self: UniqueAddress, now: number): { state: ClusterState; changes: readonly MemberChange[] } {
  if (!isMember(state, self) || leader(state) !== self.address || !isConvergence(state)) return { state, changes: [] };
  let upNumber = Math.max(0, ...state.members.map((m) => m.upNumber));
  const changes: MemberChange[] = [];
  const removed = new Set<string>();
  const members = state.members.map((m): Member => {
    const next = transition(m, () => ++upNumber);
    if (next === m) return m;
    changes.push({ member: next, from: m.status });
    if (next.status === "removed") removed.add(uniqueKey(m));
    return next;
  });
  if (changes.length === 0) return { state, changes };
  const moved = removeMembers({ ...state, members }, removed, now);
  return { state: newVersion(moved, self), changes };
}

function transition(m: Member, nextUpNumber: () => number): Member {
  switch (m.status) {
    case "joining":
      return { ...m, status: "up", upNumber: nextUpNumber() };
    case "leaving":
      return { ...m, status: "exiting" };
    case "exiting":
    case "down":
      return { ...m, status: "removed" };
    default:
      return m;
  }
}
