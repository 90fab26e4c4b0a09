// Push-pull gossip decisions: compare digests so nodes with equal states exchange only a digest,
// apply a received state, and pick the peers of a gossip round.

import { createHash } from "node:crypto";
import { type UniqueAddress, uniqueKey } from "./member.js";
import { type ClusterState, markSeen, merge } from "./membership.js";
import { type ClockOrder, type VectorClock, compareClocks } from "./vector-clock.js";

/** What a GossipStatus carries: the version and a hash of who has seen it. */
export interface GossipDigest {
  readonly version: VectorClock;
  readonly seenHash: bigint;
}

/** First 8 bytes (big-endian) of SHA-256 over the sorted seen keys joined by "\n" (see cluster.proto). */
export function seenHash(seen: ReadonlySet<string>): bigint {
  return createHash("sha256")
    .update([...seen].sort().join("\n"))
    .digest()
    .readBigUInt64BE(0);
}

export function digest(state: ClusterState): GossipDigest {
  return { version: state.version, seenHash: seenHash(state.seen) };
}

/**
 * Answer to a peer's digest. "same": nothing to send. "send-mine": mine is newer, or equal but seen by
 * others (they union the marks). "request-theirs": theirs is newer (answer with my digest, they send
 * their state). "merge": concurrent; send mine, they merge and reply with the result.
 */
export type DigestDecision = "same" | "send-mine" | "request-theirs" | "merge";

export function decideExchange(local: ClusterState, remote: GossipDigest): DigestDecision {
  switch (compareClocks(local.version, remote.version)) {
    case "same":
      return seenHash(local.seen) === remote.seenHash ? "same" : "send-mine";
    case "after":
      return "send-mine";
    case "before":
      return "request-theirs";
    case "concurrent":
      return "merge";
  }
}

export interface GossipReceipt {
  /** The new local state, marked seen by self. */
  readonly state: ClusterState;
  /** How the local version related to the received one. */
  readonly order: ClockOrder;
  /** The sender lacks something of `state` (a newer version or seen marks): answer with it. */
  readonly replyNeeded: boolean;
}

/** Applies a full state received from a peer: keep the newer one, merge concurrent ones. */
export function receiveGossip(local: ClusterState, remote: ClusterState, self: UniqueAddress): GossipReceipt {
  const order = compareClocks(local.version, remote.version);
  const winner = order === "after" ? local : order === "before" ? remote : merge(local, remote);
  const state = markSeen(winner, self);
  const replyNeeded =
    compareClocks(state.version, remote.version) !== "same" || state.seen.size !== remote.seen.size || [...state.seen].some((k) => !remote.seen.has(k));
  return { state, order, replyNeeded };
}

/** Peers per gossip round: a change reaches 10 nodes in about 2 rounds; 3 digests/s stay well under 1 KB/s. */
export const defaultGossipFanout = 3;

/**
 * Up to `fanout` gossip targets among the other members that self does not find unreachable: first,
 * at random, those that have not seen the current version, then, at random, the others.
 * `random` returns numbers in [0, 1), like Math.random.
 */
export function selectGossipPeers(state: ClusterState, self: UniqueAddress, fanout: number, random: () => number): string[] {
  const selfKey = uniqueKey(self);
  const unreachableBySelf = state.reachability.get(selfKey)?.unreachable ?? new Set<string>();
  const candidates = state.members.filter((m) => m.address !== self.address && !unreachableBySelf.has(uniqueKey(m)));
  const unseen = candidates.filter((m) => !state.seen.has(uniqueKey(m)));
  const seen = candidates.filter((m) => state.seen.has(uniqueKey(m)));
  return [...shuffle(unseen, random), ...shuffle(seen, random)].slice(0, fanout).map((m) => m.address);
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}
