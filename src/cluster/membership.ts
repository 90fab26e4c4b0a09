// The membership state gossiped between nodes: an immutable value changed only by the functions below.
// A local change bumps the changer's vector-clock entry and resets `seen` to the changer alone;
// `merge` reconciles concurrent states so every node ends up with the same value.

import { type Member, type MemberStatus, type UniqueAddress, compareAddresses, isOlderThan, uniqueKey, statusPriority } from "./member.js";
import { type Reachability, emptyReachability, mergeReachability, recordReachable, recordUnreachable, restrictReachability } from "./reachability.js";
import { type VectorClock, compareClocks, emptyClock, increment, mergeClocks, pruneClock } from "./vector-clock.js";

export interface ClusterState {
  /** Sorted by address; at most one incarnation per address. Removed members are not listed. */
  readonly members: readonly Member[];
  readonly reachability: Reachability;
  /** Unique keys of the members that have seen exactly `version`. */
  readonly seen: ReadonlySet<string>;
  readonly version: VectorClock;
  /** Unique keys of removed incarnations → removal time (ms): they can never be members again. */
  readonly tombstones: ReadonlyMap<string, number>;
}

/** Tombstones outlive any gossip still in flight about the removed incarnation (Akka uses a day too). */
export const defaultTombstoneTtlMs = 24 * 60 * 60 * 1000;

export const emptyState: ClusterState = {
  members: [],
  reachability: emptyReachability,
  seen: new Set(),
  version: emptyClock,
  tombstones: new Map(),
};

export function memberAt(state: ClusterState, address: string): Member | undefined {
  return state.members.find((m) => m.address === address);
}

/** This very incarnation is a member (not a predecessor or successor at its address). */
export function isMember(state: ClusterState, node: UniqueAddress): boolean {
  return memberAt(state, node.address)?.uid === node.uid;
}

export function isTombstoned(state: ClusterState, node: UniqueAddress): boolean {
  return state.tombstones.has(uniqueKey(node));
}

/** Records a local change made by `self`: new version that only `self` has seen. */
export function newVersion(state: ClusterState, self: UniqueAddress): ClusterState {
  const key = uniqueKey(self);
  return { ...state, version: increment(state.version, key), seen: new Set([key]) };
}

export function markSeen(state: ClusterState, self: UniqueAddress): ClusterState {
  const key = uniqueKey(self);
  return state.seen.has(key) ? state : { ...state, seen: new Set(state.seen).add(key) };
}

function sortedMembers(members: Iterable<Member>): readonly Member[] {
  return [...members].sort((a, b) => compareAddresses(a.address, b.address));
}

/**
 * Deletes incarnations (no version bump: callers bump once for all their changes), tombstoning them at
 * `now` and dropping their clock entries, reachability observations and seen marks.
 */
export function removeMembers(state: ClusterState, keys: ReadonlySet<string>, now: number): ClusterState {
  if (keys.size === 0) return state;
  const members = state.members.filter((m) => !keys.has(uniqueKey(m)));
  const remaining = new Set(members.map(uniqueKey));
  const tombstones = new Map(state.tombstones);
  for (const key of keys) tombstones.set(key, now);
  return {
    members,
    reachability: restrictReachability(state.reachability, remaining),
    seen: new Set([...state.seen].filter((k) => remaining.has(k))),
    version: pruneClock(state.version, keys),
    tombstones,
  };
}

export type JoinOutcome =
  /** Added as Joining (replacing a down incarnation at the same address, if any). */
  | "joined"
  /** This incarnation is already a member: nothing changed. */
  | "already-member"
  /** A live older incarnation holds the address; it is now Down (its process is gone): retry later. */
  | "old-incarnation-downed"
  /** This incarnation was removed and cannot come back; the node must restart with a new uid. */
  | "incarnation-removed";

export interface JoinCandidate extends UniqueAddress {
  readonly roles: readonly string[];
}

/** `self` (a member) admits `candidate`. Only one process can listen on an address, so a new uid there means the old one died. */
export function join(state: ClusterState, self: UniqueAddress, candidate: JoinCandidate, now: number): { state: ClusterState; outcome: JoinOutcome } {
  if (isTombstoned(state, candidate)) return { state, outcome: "incarnation-removed" };
  const existing = memberAt(state, candidate.address);
  if (existing?.uid === candidate.uid) return { state, outcome: "already-member" };
  if (existing && existing.status !== "down") {
    return { state: down(state, self, existing.address), outcome: "old-incarnation-downed" };
  }
  const base = existing ? removeMembers(state, new Set([uniqueKey(existing)]), now) : state;
  const member: Member = { address: candidate.address, uid: candidate.uid, status: "joining", roles: [...candidate.roles], upNumber: 0 };
  return { state: newVersion({ ...base, members: sortedMembers([...base.members, member]) }, self), outcome: "joined" };
}

function setStatus(state: ClusterState, self: UniqueAddress, address: string, status: MemberStatus, from: readonly MemberStatus[]): ClusterState {
  const member = memberAt(state, address);
  if (!member || !from.includes(member.status)) return state;
  return newVersion({ ...state, members: state.members.map((m) => (m === member ? { ...m, status } : m)) }, self);
}

/** Joining or Up → Leaving; otherwise returns `state` itself. */
export function leave(state: ClusterState, self: UniqueAddress, address: string): ClusterState {
  return setStatus(state, self, address, "leaving", ["joining", "up"]);
}

/** Any member not yet Down → Down; the leader removes it once the reachable members converge. */
export function down(state: ClusterState, self: UniqueAddress, address: string): ClusterState {
  return setStatus(state, self, address, "down", ["joining", "up", "leaving", "exiting"]);
}

function observe(state: ClusterState, observer: UniqueAddress, subject: string, unreachable: boolean): ClusterState {
  const target = memberAt(state, subject);
  if (!target || !isMember(state, observer) || target.address === observer.address) return state;
  const record = unreachable ? recordUnreachable : recordReachable;
  const reachability = record(state.reachability, uniqueKey(observer), uniqueKey(target));
  return reachability === state.reachability ? state : newVersion({ ...state, reachability }, observer);
}

/** `observer`'s failure detector lost `subject` (an address). Returns `state` itself if already known. */
export function markUnreachable(state: ClusterState, observer: UniqueAddress, subject: string): ClusterState {
  return observe(state, observer, subject, true);
}

/** `observer` hears heartbeats from `subject` again. Returns `state` itself if nothing changes. */
export function markReachable(state: ClusterState, observer: UniqueAddress, subject: string): ClusterState {
  return observe(state, observer, subject, false);
}

/**
 * Who finds whom unreachable, by address. Observations by Down or Exiting members do not count: a
 * downed minority's view of the majority is not news.
 */
export function unreachabilityRecords(state: ClusterState): { observer: string; subject: string }[] {
  const byKey = new Map(state.members.map((m) => [uniqueKey(m), m]));
  const records: { observer: string; subject: string }[] = [];
  for (const [key, row] of state.reachability) {
    const observer = byKey.get(key);
    if (!observer || observer.status === "down" || observer.status === "exiting") continue;
    for (const subject of row.unreachable) {
      const member = byKey.get(subject);
      if (member) records.push({ observer: observer.address, subject: member.address });
    }
  }
  return records;
}

/** Addresses of members that some (counting) member finds unreachable. */
export function unreachableAddresses(state: ClusterState): ReadonlySet<string> {
  return new Set(unreachabilityRecords(state).map((r) => r.subject));
}

/**
 * Two views of the same address. Same incarnation: the later status wins, with the older upNumber.
 * Different incarnations: a live one replaces a Down one; two live ones (which one is newer cannot be
 * known; tombstones normally prevent this) are ordered by status priority, then uid, so merge stays
 * commutative.
 */
function mergeMember(a: Member, b: Member): Member {
  if (a.uid === b.uid) {
    const status = statusPriority(a.status) >= statusPriority(b.status) ? a.status : b.status;
    return { ...a, status, upNumber: isOlderThan(a, b) ? a.upNumber : b.upNumber };
  }
  const aDown = a.status === "down";
  if (aDown !== (b.status === "down")) return aDown ? b : a;
  const byStatus = statusPriority(a.status) - statusPriority(b.status);
  return byStatus > 0 || (byStatus === 0 && a.uid > b.uid) ? a : b;
}

/**
 * Merges concurrent states: tombstones united, tombstoned incarnations dropped, members merged per
 * address, clocks and reachability merged. `seen` keeps the marks of any input whose version equals the
 * merged one (none after a real merge: nobody has seen the merged state yet).
 */
export function merge(a: ClusterState, b: ClusterState): ClusterState {
  const tombstones = new Map(a.tombstones);
  for (const [key, at] of b.tombstones) tombstones.set(key, Math.max(at, tombstones.get(key) ?? at));
  const byAddress = new Map<string, Member>();
  for (const m of [...a.members, ...b.members]) {
    if (tombstones.has(uniqueKey(m))) continue;
    const other = byAddress.get(m.address);
    byAddress.set(m.address, other ? mergeMember(other, m) : m);
  }
  const keys = new Set([...byAddress.values()].map(uniqueKey));
  const version = pruneClock(mergeClocks(a.version, b.version), new Set(tombstones.keys()));
  const seen = [a, b].flatMap((s) => (compareClocks(s.version, version) === "same" ? [...s.seen] : []));
  return {
    members: sortedMembers(byAddress.values()),
    reachability: restrictReachability(mergeReachability(a.reachability, b.reachability), keys),
    seen: new Set(seen.filter((k) => keys.has(k))),
    version,
    tombstones,
  };
}

/** Forgets tombstones older than `olderThan` (ms); local housekeeping, no version change. */
export function pruneTombstones(state: ClusterState, olderThan: number): ClusterState {
  const tombstones = new Map([...state.tombstones].filter(([, at]) => at >= olderThan));
  return tombstones.size === state.tombstones.size ? state : { ...state, tombstones };
}
