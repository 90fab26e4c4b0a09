// Shared builders for the cluster unit tests.

import { leaderActions } from "../../src/cluster/leader.js";
import type { Member, MemberStatus, UniqueAddress } from "../../src/cluster/member.js";
import { type ClusterState, emptyState, join, markSeen } from "../../src/cluster/membership.js";

/** Node n listens on 127.0.0.1:(2550 + n), so numeric port order = n order. */
export function node(n: number, uid = 1n): UniqueAddress {
  return { address: addr(n), uid };
}

export function addr(n: number): string {
  return `127.0.0.1:${2550 + n}`;
}

export function member(n: number, status: MemberStatus, upNumber = 0, uid = 1n, roles: string[] = []): Member {
  return { ...node(n, uid), status, roles, upNumber };
}

export function seenByAll(state: ClusterState): ClusterState {
  return state.members.reduce(markSeen, state);
}

/** Nodes 1..n joined through node 1 and moved Up by the leader; every member has seen the result. */
export function upCluster(n: number, now = 0): ClusterState {
  let state = emptyState;
  for (let i = 1; i <= n; i++) state = join(state, node(1), { ...node(i), roles: [] }, now).state;
  state = leaderActions(seenByAll(state), node(1), now).state;
  return seenByAll(state);
}

/** Deterministic PRNG (mulberry32) for randomised tests. */
export function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function statuses(state: ClusterState): Record<string, MemberStatus> {
  return Object.fromEntries(state.members.map((m) => [m.address, m.status]));
}
