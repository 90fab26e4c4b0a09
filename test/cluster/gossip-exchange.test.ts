import { describe, expect, it } from "vitest";
import { decideExchange, digest, receiveGossip, seenHash, selectGossipPeers } from "../../src/cluster/gossip-exchange.js";
import { leader, leaderActions } from "../../src/cluster/leader.js";
import { type UniqueAddress, uniqueKey } from "../../src/cluster/member.js";
import { type ClusterState, down, emptyState, join, markSeen, markUnreachable, newVersion } from "../../src/cluster/membership.js";
import { addr, node, seededRandom, statuses, upCluster } from "./fixtures.js";

describe("digest decisions", () => {
  const base = upCluster(3);

  it("same version and seen: nothing to send", () => {
    expect(decideExchange(base, digest(base))).toBe("same");
  });

  it("same version, other seen marks: send mine so they unite them", () => {
    const other = { ...base, seen: new Set([uniqueKey(node(1))]) };
    expect(decideExchange(base, digest(other))).toBe("send-mine");
  });

  it("newer, older and concurrent versions", () => {
    const mine = newVersion(base, node(1));
    const theirs = newVersion(base, node(2));
    expect(decideExchange(mine, digest(base))).toBe("send-mine");
    expect(decideExchange(base, digest(mine))).toBe("request-theirs");
    expect(decideExchange(mine, digest(theirs))).toBe("merge");
  });

  it("the seen hash ignores insertion order and is a uint64", () => {
    const h = seenHash(new Set(["b#1", "a#2"]));
    expect(h).toBe(seenHash(new Set(["a#2", "b#1"])));
    expect(h).not.toBe(seenHash(new Set(["a#2"])));
    expect(h >= 0n && h < 2n ** 64n).toBe(true);
  });
});

describe("receiveGossip", () => {
  const base = upCluster(3);

  it("adopts a newer state, marks it seen and tells the sender it has seen it", () => {
    const remote = newVersion(base, node(2));
    const { state, order, replyNeeded } = receiveGossip(base, remote, node(3));
    expect(order).toBe("before");
    expect(state.version).toEqual(remote.version);
    expect(state.seen).toEqual(new Set([uniqueKey(node(2)), uniqueKey(node(3))]));
    expect(replyNeeded).toBe(true);
  });

  it("keeps a newer local state and answers with it", () => {
    const local = markSeen(newVersion(base, node(1)), node(1));
    const result = receiveGossip(local, base, node(1));
    expect(result.order).toBe("after");
    expect(result.state).toBe(local);
    expect(result.replyNeeded).toBe(true);
  });

  it("unites seen marks of equal versions and stops the ping-pong once both know them", () => {
    const a = markSeen(newVersion(base, node(1)), node(1));
    const b = markSeen(a, node(2));
    const first = receiveGossip(a, b, node(1));
    expect(first.state.seen).toEqual(b.seen);
    expect(first.replyNeeded).toBe(false);
    const second = receiveGossip(b, a, node(2));
    expect(second.replyNeeded).toBe(true);
  });

  it("merges concurrent states, seen only by self", () => {
    const a = markUnreachable(base, node(1), addr(3));
    const b = join(base, node(2), { ...node(4), roles: [] }, 0).state;
    const { state, order, replyNeeded } = receiveGossip(a, b, node(1));
    expect(order).toBe("concurrent");
    expect(Object.keys(statuses(state))).toHaveLength(4);
    expect(state.seen).toEqual(new Set([uniqueKey(node(1))]));
    expect(replyNeeded).toBe(true);
  });
});

describe("selectGossipPeers", () => {
  it("prefers members that have not seen the version, never picks self or those self finds unreachable", () => {
    let state = markUnreachable(upCluster(6), node(1), addr(6));
    state = markSeen(markSeen(state, node(2)), node(3));
    for (let seed = 0; seed < 20; seed++) {
      const peers = selectGossipPeers(state, node(1), 2, seededRandom(seed));
      expect(peers.sort()).toEqual([addr(4), addr(5)]);
    }
    const three = selectGossipPeers(state, node(1), 3, seededRandom(1));
    expect(three.slice(0, 2).sort()).toEqual([addr(4), addr(5)]);
    expect([addr(2), addr(3)]).toContain(three[2]);
    expect(selectGossipPeers(state, node(1), 10, seededRandom(1)).sort()).toEqual([addr(2), addr(3), addr(4), addr(5)]);
  });

  it("is deterministic for a given random function and spreads over members", () => {
    const state = upCluster(8);
    expect(selectGossipPeers(state, node(1), 3, seededRandom(7))).toEqual(selectGossipPeers(state, node(1), 3, seededRandom(7)));
    const picked = new Set<string>();
    const random = seededRandom(3);
    for (let i = 0; i < 50; i++) for (const p of selectGossipPeers(state, node(1), 1, random)) picked.add(p);
    expect(picked.size).toBe(7);
  });
});

/** Nodes gossiping at random through these functions alone end with identical, converged states. */
describe("gossip simulation", () => {
  type Cluster = Map<string, { self: UniqueAddress; state: ClusterState }>;

  function form(count: number, random: () => number): Cluster {
    const nodes = Array.from({ length: count }, (_, i) => node(i + 1, BigInt(100 + i)));
    const cluster: Cluster = new Map();
    const first = nodes[0];
    cluster.set(first.address, { self: first, state: markSeen(join(emptyState, first, { ...first, roles: [] }, 0).state, first) });
    for (const n of nodes.slice(1)) {
      const members = [...cluster.values()];
      const via = members[Math.floor(random() * members.length)]; // join through any current member
      const admitted = join(via.state, via.self, { ...n, roles: [] }, 0).state;
      cluster.set(via.self.address, { self: via.self, state: markSeen(admitted, via.self) });
      cluster.set(n.address, { self: n, state: markSeen(admitted, n) });
    }
    return cluster;
  }

  function gossip(cluster: Cluster, rounds: number, random: () => number): void {
    for (let round = 0; round < rounds; round++) {
      for (const node of cluster.values()) {
        node.state = leaderActions(node.state, node.self, round).state;
        for (const peer of selectGossipPeers(node.state, node.self, 2, random)) {
          const target = cluster.get(peer);
          if (!target) continue;
          const receipt = receiveGossip(target.state, node.state, target.self);
          target.state = receipt.state;
          if (receipt.replyNeeded) node.state = receiveGossip(node.state, receipt.state, node.self).state;
        }
      }
    }
  }

  for (const [count, seed] of [
    [3, 1],
    [5, 2],
    [10, 3],
  ] as const) {
    it(`${count} nodes agree on all Up members, the version and the leader (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const cluster = form(count, random);
      gossip(cluster, 30, random);
      const finals = [...cluster.values()].map((n) => n.state);
      for (const s of finals) {
        expect(Object.values(statuses(s))).toEqual(Array(count).fill("up"));
        expect(s.version).toEqual(finals[0].version);
        expect(s.seen.size).toBe(count);
        expect(leader(s)).toBe(addr(1));
      }
      expect(new Set(finals[0].members.map((m) => m.upNumber))).toEqual(new Set(Array.from({ length: count }, (_, i) => i + 1)));
    });
  }

  it("a crashed member, marked unreachable and downed, is removed and tombstoned everywhere", () => {
    const random = seededRandom(11);
    const cluster = form(5, random);
    gossip(cluster, 30, random);
    const crashed = cluster.get(addr(3))!;
    cluster.delete(addr(3));
    const observer = cluster.get(addr(4))!;
    observer.state = down(markUnreachable(observer.state, observer.self, addr(3)), observer.self, addr(3));
    gossip(cluster, 30, random);
    for (const { state } of cluster.values()) {
      expect(Object.keys(statuses(state))).toEqual([addr(1), addr(2), addr(4), addr(5)]);
      expect(state.tombstones.has(uniqueKey(crashed.self))).toBe(true);
      expect(state.seen.size).toBe(4);
    }
  });
});
