// Cluster events as plain data, computed as the difference between two states; the runtime maps them
// to event classes. Diffing against `emptyState` replays the current state to a new subscriber.

import { leader } from "./leader.js";
import { type Member, type MemberStatus, type UniqueAddress, compareAddresses, uniqueKey } from "./member.js";
import { type ClusterState, unreachableAddresses } from "./membership.js";

export type ClusterEventData =
  | { readonly type: "MemberUp"; readonly member: Member }
  | { readonly type: "MemberLeft"; readonly member: Member }
  | { readonly type: "MemberExited"; readonly member: Member }
  | { readonly type: "MemberDowned"; readonly member: Member }
  | { readonly type: "MemberRemoved"; readonly member: Member; readonly previousStatus: MemberStatus }
  | { readonly type: "UnreachableMember"; readonly member: Member }
  | { readonly type: "ReachableMember"; readonly member: Member }
  | { readonly type: "LeaderChanged"; readonly address: string | undefined };

const statusEvent = { up: "MemberUp", leaving: "MemberLeft", exiting: "MemberExited", down: "MemberDowned" } as const;

/**
 * Events that turn `before` into `after`, in order: member status changes and removals (by address),
 * then unreachable, then reachable members, then a leader change. Only the current status of a member
 * is reported (a gossip may skip intermediate ones). `self` is never reported unreachable/reachable.
 */
export function diffEvents(before: ClusterState, after: ClusterState, self?: UniqueAddress): ClusterEventData[] {
  const events: ClusterEventData[] = [];
  const old = new Map(before.members.map((m) => [uniqueKey(m), m]));
  const current = new Set(after.members.map(uniqueKey));
  // A replaced incarnation sorts before its successor at the same address (stable sort).
  const removed = before.members.filter((m) => !current.has(uniqueKey(m)));
  const changed = after.members.filter((m) => old.get(uniqueKey(m))?.status !== m.status);
  for (const m of [...removed, ...changed].sort((a, b) => compareAddresses(a.address, b.address))) {
    if (!current.has(uniqueKey(m))) {
      events.push({ type: "MemberRemoved", member: { ...m, status: "removed" }, previousStatus: m.status });
    } else if (m.status !== "joining" && m.status !== "removed") {
      events.push({ type: statusEvent[m.status], member: m });
    }
  }
  const wasUnreachable = unreachableKeys(before);
  const isUnreachable = unreachableKeys(after);
  const others = after.members.filter((m) => m.address !== self?.address);
  for (const m of others.filter((m) => isUnreachable.has(uniqueKey(m)) && !wasUnreachable.has(uniqueKey(m)))) {
    events.push({ type: "UnreachableMember", member: m });
  }
  for (const m of others.filter((m) => wasUnreachable.has(uniqueKey(m)) && !isUnreachable.has(uniqueKey(m)))) {
    events.push({ type: "ReachableMember", member: m });
  }
  const to = leader(after);
  if (leader(before) !== to) events.push({ type: "LeaderChanged", address: to });
  return events;
}

function unreachableKeys(state: ClusterState): ReadonlySet<string> {
  const addresses = unreachableAddresses(state);
  return new Set(state.members.filter((m) => addresses.has(m.address)).map(uniqueKey));
}
