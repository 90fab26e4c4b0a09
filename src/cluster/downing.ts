// Split-brain resolver decisions (after Akka's SBR). When members become unreachable, nobody can tell
// a crash from a partition, so both sides decide, from their own view and the same rule, which side
// survives; the losing side downs itself. Decisions wait until the picture is stable for a while.

import { type Member, compareAddresses, isOlderThan } from "./member.js";
import { type ClusterState, unreachabilityRecords } from "./membership.js";

export type DowningStrategy =
  /** The side with more Up/Leaving members survives; on a tie, the side with the lowest address. */
  | { readonly kind: "keep-majority"; readonly role?: string }
  /** A side survives with at least `quorumSize` members; above 2·quorumSize − 1 members, all go down. */
  | { readonly kind: "static-quorum"; readonly quorumSize: number; readonly role?: string }
  /** The side with the oldest member survives; with `downIfAlone`, an oldest cut off alone goes instead. */
  | { readonly kind: "keep-oldest"; readonly downIfAlone: boolean; readonly role?: string };

export interface DowningConfig {
  readonly strategy: DowningStrategy;
  /** No decision until membership and reachability have not changed for this long. */
  readonly stableAfterMs: number;
  /** Down every member if still unstable this long after stableAfterMs (measured from the first unreachability); undefined: never. */
  readonly downAllWhenUnstableMs: number | undefined;
}

/**
 * keep-majority after 5 s of stability: a kill -9 is detected in ≈2.5 s, gossiped within ≈1 s, then
 * downed 5 s later and removed after a gossip round or two, ≈10 s in all (within the 15 s goal).
 * Down-all-when-unstable is ¾ of stable-after, Akka's default.
 */
export const defaultDowningConfig: DowningConfig = {
  strategy: { kind: "keep-majority" },
  stableAfterMs: 5000,
  downAllWhenUnstableMs: 3750,
};

export interface DowningInput {
  readonly state: ClusterState;
  readonly now: number;
  /** Last time the members or the reachability picture changed, as tracked by the caller. */
  readonly stableSince: number;
  /** When members first became unreachable in the current episode; undefined while all are reachable. */
  readonly unreachableSince?: number | undefined;
}

/** Which side goes: the unreachable one, our own, the indirectly connected nodes, or everyone. */
export type DowningReason = "unreachable-side" | "own-side" | "indirectly-connected" | "all";

export type DowningDecision =
  | { readonly action: "none" }
  | { readonly action: "wait"; readonly until: number }
  /** `nodes`: sorted addresses; may include the caller's own (then it downs itself). */
  | { readonly action: "down"; readonly nodes: readonly string[]; readonly reason: DowningReason };

type Verdict = "keep" | "down-own" | "down-all";

/**
 * Same input, same decision on every node of a side; the leader applies it. Nodes that both observe
 * and are observed unreachable (an asymmetric or flaky link) are "indirectly connected" and always go.
 */
export function decideDowning(input: DowningInput, config: DowningConfig = defaultDowningConfig): DowningDecision {
  const { state, now, stableSince, unreachableSince } = input;
  const live = state.members.filter((m) => m.status !== "down");
  const records = unreachabilityRecords(state);
  const liveAddresses = new Set(live.map((m) => m.address));
  const unreachable = new Set(records.map((r) => r.subject).filter((a) => liveAddresses.has(a)));
  if (unreachable.size === 0) return { action: "none" };
  const all = live.map((m) => m.address);
  const down = (nodes: Iterable<string>, reason: DowningReason): DowningDecision => {
    const chosen = new Set(nodes);
    return { action: "down", nodes: all.filter((a) => chosen.has(a)), reason };
  };
  if (now - stableSince < config.stableAfterMs) {
    const giveUp = config.downAllWhenUnstableMs;
    if (giveUp !== undefined && unreachableSince !== undefined && now - unreachableSince >= config.stableAfterMs + giveUp) {
      return down(all, "all");
    }
    return { action: "wait", until: stableSince + config.stableAfterMs };
  }
  const observers = new Set(records.map((r) => r.observer));
  const indirect = [...unreachable].filter((a) => observers.has(a));
  if (indirect.length === unreachable.size) return down(indirect, "indirectly-connected");
  // As in Akka, the strategy judges the clean picture; indirectly connected nodes go whatever it says.
  const reachableSide = live.filter((m) => !unreachable.has(m.address));
  const unreachableSide = live.filter((m) => unreachable.has(m.address) && !indirect.includes(m.address));
  switch (verdict(config.strategy, reachableSide, unreachableSide)) {
    case "keep":
      return down(unreachable, "unreachable-side");
    case "down-own":
      return down([...reachableSide.map((m) => m.address), ...indirect], "own-side");
    case "down-all":
      return down(all, "all");
  }
}

/** Decides from the members that count (Up/Leaving with the role), or all live ones if none does. */
function verdict(strategy: DowningStrategy, reachable: readonly Member[], unreachable: readonly Member[]): Verdict {
  const counts = (m: Member) => (m.status === "up" || m.status === "leaving") && (strategy.role === undefined || m.roles.includes(strategy.role));
  const anyCounts = [...reachable, ...unreachable].some(counts);
  const mine = anyCounts ? reachable.filter(counts) : reachable;
  const theirs = anyCounts ? unreachable.filter(counts) : unreachable;
  switch (strategy.kind) {
    case "keep-majority": {
      if (mine.length !== theirs.length) return mine.length > theirs.length ? "keep" : "down-own";
      const lowest = [...mine, ...theirs].reduce((a, b) => (compareAddresses(b.address, a.address) < 0 ? b : a));
      return mine.includes(lowest) ? "keep" : "down-own";
    }
    case "static-quorum":
      if (mine.length + theirs.length > 2 * strategy.quorumSize - 1) return "down-all";
      return mine.length >= strategy.quorumSize ? "keep" : "down-own";
    case "keep-oldest": {
      const oldest = [...mine, ...theirs].reduce((a, b) => (isOlderThan(b, a) ? b : a));
      const oldestIsMine = mine.includes(oldest);
      const alone = strategy.downIfAlone && mine.length + theirs.length > 1 && (oldestIsMine ? mine : theirs).length === 1;
      if (alone) return oldestIsMine ? "down-own" : "keep";
      return oldestIsMine ? "keep" : "down-own";
    }
  }
}
