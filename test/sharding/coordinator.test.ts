import { describe, expect, it } from "vitest";
import { ShardCoordinator, type CoordinatorHost } from "../../src/sharding/coordinator.js";
import { TYPE, type Coordination } from "../../src/sharding/protocol.js";

const A = "127.0.0.1:2551";
const B = "127.0.0.1:2552";
const C = "127.0.0.1:2553";
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** Every node's incarnation uid in these tests. */
const UID = 7n;

interface Home {
  shardId: number;
  node: string;
  epoch: bigint;
  nodeUid: bigint;
}

/** A coordinator with a fake host: a clock, the Up members, and every message it sends. */
class Harness {
  time = 0;
  up = new Set<string>();
  unreachable = new Set<string>();
  sent: { to: string; message: Coordination }[] = [];
  readonly coordinator: ShardCoordinator;

  constructor(up: string[], options: { maxSimultaneousRebalance?: number; rebuildWindow?: number } = {}) {
    this.up = new Set(up);
    const host: CoordinatorHost = {
      log: silent,
      now: () => this.time,
      upMembers: () => this.up,
      unreachableMembers: () => this.unreachable,
      send: (to, message) => this.sent.push({ to, message }),
    };
    this.coordinator = new ShardCoordinator(host, {
      maxSimultaneousRebalance: options.maxSimultaneousRebalance ?? 5,
      rebuildWindow: options.rebuildWindow ?? 1000,
    });
  }

  register(node: string, owned: [number, bigint][] = [], hosting = true, knownEpoch = 0n): void {
    this.coordinator.receive({
      $type: TYPE.register,
      node,
      nodeUid: UID,
      hosting,
      owned: owned.map(([shardId, epoch]) => ({ shardId, node, epoch, nodeUid: UID, replicas: [] })),
      knownEpoch,
    });
  }
  getHome(shardId: number, node: string): void {
    this.coordinator.receive({ $type: TYPE.getHome, shardId, node });
  }
  stopped(shardId: number, node: string): void {
    this.coordinator.receive({ $type: TYPE.stopped, shardId, node });
  }
  gracefulShutdown(node: string): void {
    this.coordinator.receive({ $type: TYPE.gracefulShutdown, node });
  }

  /** Messages sent since the last call. */
  take(): { to: string; message: Coordination }[] {
    const sent = this.sent;
    this.sent = [];
    return sent;
  }
  /** Homes announced in `messages`, per recipient. */
  static homesTo(messages: { to: string; message: Coordination }[], to: string): Home[] {
    return messages.filter((m) => m.to === to && m.message.$type === TYPE.homes).flatMap((m) => (m.message as { homes: Home[] }).homes);
  }
  static handOffs(messages: { to: string; message: Coordination }[]): { to: string; shardId: number }[] {
    return messages.filter((m) => m.message.$type === TYPE.handOff).map((m) => ({ to: m.to, shardId: (m.message as { shardId: number }).shardId }));
  }

  /** Asks for shard `s` from `asker` and returns the home that reached the asker. */
  homeOf(s: number, asker = A): Home | undefined {
    this.take();
    this.getHome(s, asker);
    return Harness.homesTo(this.take(), asker).find((h) => h.shardId === s);
  }

  /** Completes every handoff the coordinator asked for (the regions report their shards stopped). */
  completeHandOffs(messages: { to: string; message: Coordination }[]): { to: string; message: Coordination }[] {
    const after: { to: string; message: Coordination }[] = [];
    for (const { to, shardId } of Harness.handOffs(messages)) {
      this.take();
      this.stopped(shardId, to);
      after.push(...this.take());
    }
    return after;
  }
}

describe("ShardCoordinator allocation", () => {
  it("allocates least-shards-first, lowest address on ties, and broadcasts each new home to every region", () => {
    const h = new Harness([A, B, C]);
    h.register(C);
    h.register(A);
    h.register(B);
    h.take();
    const nodes: string[] = [];
    for (let s = 0; s < 9; s++) {
      h.getHome(s, B);
      const sent = h.take();
      for (const region of [A, B, C]) expect(Harness.homesTo(sent, region)).toHaveLength(1);
      nodes.push(Harness.homesTo(sent, B)[0].node);
    }
    expect(nodes).toEqual([A, B, C, A, B, C, A, B, C]);
  });

  it("gives every new allocation a higher epoch, and answers known shards to the asker only", () => {
    const h = new Harness([A, B]);
    h.register(A);
    h.register(B);
    const first = h.homeOf(1)!;
    const second = h.homeOf(2)!;
    expect(second.epoch).toBeGreaterThan(first.epoch);
    h.take();
    h.getHome(1, B);
    const sent = h.take();
    expect(sent).toEqual([{ to: B, message: { $type: TYPE.homes, homes: [first] } }]);
  });

  it("never allocates to proxy regions (no role), non-Up members or leaving regions", () => {
    const h = new Harness([A, B]);
    h.register(A, [], false);
    h.register(B);
    h.register(C); // registered but not Up (e.g. still joining or already removed from the view)
    h.time = 2000;
    for (let s = 0; s < 6; s++) expect(h.homeOf(s)?.node).toBe(B);
  });

  it("allocates nothing without a hosting region; the region asks again later", () => {
    const h = new Harness([A]);
    h.register(A, [], false);
    h.take();
    h.getHome(3, A);
    expect(h.take()).toEqual([]);
  });

  it("answers a registration with every known home", () => {
    const h = new Harness([A, B]);
    h.register(A);
    h.register(B);
    const homes = [h.homeOf(0)!, h.homeOf(1)!];
    h.take();
    h.register(C);
    expect(Harness.homesTo(h.take(), C)).toEqual(homes);
  });
});

describe("ShardCoordinator rebuild (a new coordinator after a leader change)", () => {
  it("keeps what the regions report and continues epochs above the highest one reported", () => {
    const h = new Harness([A, B]);
    h.register(A, [
      [0, 5n],
      [1, 7n],
    ]);
    h.register(B, [[2, 3n]]);
    expect(h.homeOf(0)).toEqual({ shardId: 0, node: A, epoch: 5n, nodeUid: UID, replicas: [] });
    expect(h.homeOf(1)).toEqual({ shardId: 1, node: A, epoch: 7n, nodeUid: UID, replicas: [] });
    expect(h.homeOf(2)).toEqual({ shardId: 2, node: B, epoch: 3n, nodeUid: UID, replicas: [] });
    const fresh = h.homeOf(3)!;
    expect(fresh.node).toBe(B); // B owns fewer
    expect(fresh.epoch).toBeGreaterThan(7n);
  });

  it("gives new allocations higher epochs than any home a region still knows", () => {
    // the newest homes were on a node that is gone, or on shards handed off while the leader changed:
    // nobody owns them, but regions remember their epochs and would ignore older news
    const h = new Harness([A, B]);
    h.register(A, [[0, 5n]], true, 40n);
    h.register(B, [[1, 6n]], true, 12n);
    const fresh = h.homeOf(2)!;
    expect(fresh.epoch).toBeGreaterThan(40n);
    h.take();
    h.stopped(3, A); // a handoff from before the leader change
    expect(Harness.homesTo(h.take(), A)[0].epoch).toBeGreaterThan(fresh.epoch);
  });

  it("keeps the newer claim when two regions report the same shard", () => {
    const h = new Harness([A, B]);
    h.register(A, [[4, 2n]]);
    h.register(B, [[4, 9n]]);
    expect(h.homeOf(4)).toEqual({ shardId: 4, node: B, epoch: 9n, nodeUid: UID, replicas: [] });
    const h2 = new Harness([A, B]);
    h2.register(B, [[4, 9n]]);
    h2.register(A, [[4, 2n]]);
    expect(h2.homeOf(4)).toEqual({ shardId: 4, node: B, epoch: 9n, nodeUid: UID, replicas: [] });
  });

  it("does not allocate before every Up member registered (or the rebuild window passed)", () => {
    const h = new Harness([A, B, C], { rebuildWindow: 1000 });
    h.register(A, [[0, 4n]]);
    h.register(B);
    h.take();
    h.getHome(9, B); // unknown shard: C may own it and has not reported yet
    expect(h.take()).toEqual([]);
    h.coordinator.rebalance(); // no rebalancing either
    expect(h.take()).toEqual([]);
    expect(h.homeOf(0, B)).toEqual({ shardId: 0, node: A, epoch: 4n, nodeUid: UID, replicas: [] }); // known shards are answered
    h.register(C, [[9, 6n]]);
    expect(h.homeOf(9, B)).toEqual({ shardId: 9, node: C, epoch: 6n, nodeUid: UID, replicas: [] });
    expect(h.homeOf(10, B)?.node).toBeDefined();
  });

  it("allocates after the rebuild window even if a member never registers", () => {
    const h = new Harness([A, B, C], { rebuildWindow: 1000 });
    h.register(A);
    h.register(B);
    h.time = 999;
    expect(h.homeOf(1)).toBeUndefined();
    h.time = 1000;
    expect(h.homeOf(1)?.node).toBe(A);
  });

  it("allocates nothing while an Up member it cannot reach has not registered, past the window too, until it is removed", () => {
    // a coordinator on the side of a partition: C may still run shards there, so a new home here would be a second writer
    const h = new Harness([A, B, C], { rebuildWindow: 1000 });
    h.register(A);
    h.register(B);
    h.unreachable = new Set([C]);
    h.time = 5000;
    expect(h.homeOf(1)).toBeUndefined();
    h.coordinator.rebalance();
    expect(h.take()).toEqual([]);
    // the downing decision removes C: the shards it may have had are free now
    h.up = new Set([A, B]);
    h.unreachable = new Set();
    h.coordinator.memberGone(C);
    expect(h.homeOf(1)?.node).toBe(A);
  });

  it("allocates when the unreachable member registered (its shards are known)", () => {
    const h = new Harness([A, B, C], { rebuildWindow: 1000 });
    h.register(A);
    h.register(C, [[1, 3n]]);
    h.unreachable = new Set([C]);
    h.register(B);
    expect(h.homeOf(1, B)?.node).toBe(C);
    expect(h.homeOf(2, B)?.node).toBeDefined();
  });
});

describe("ShardCoordinator handoff", () => {
  it("rebalances with HandOff → ShardStopped → a new home broadcast with a higher epoch", () => {
    const h = new Harness([A, B], { maxSimultaneousRebalance: 2 });
    h.register(A, [
      [0, 1n],
      [1, 2n],
      [2, 3n],
      [3, 4n],
      [4, 5n],
      [5, 6n],
    ]);
    h.register(B);
    h.take();
    h.coordinator.rebalance();
    const handOffs = Harness.handOffs(h.take());
    expect(handOffs).toHaveLength(2); // the limit
    expect(handOffs.every((x) => x.to === A)).toBe(true);

    const moving = handOffs[0].shardId;
    h.take();
    h.getHome(moving, B); // while it moves the old home answers (it buffers and forwards)
    expect(h.take()).toEqual([
      { to: B, message: { $type: TYPE.homes, homes: [{ shardId: moving, node: A, epoch: BigInt(moving + 1), nodeUid: UID, replicas: [] }] } },
    ]);
    h.coordinator.rebalance(); // nothing more while the limit is in flight
    expect(Harness.handOffs(h.take())).toEqual([]);

    h.stopped(moving, A);
    const sent = h.take();
    for (const region of [A, B]) {
      const homes = Harness.homesTo(sent, region);
      expect(homes).toHaveLength(1);
      expect(homes[0].shardId).toBe(moving);
      expect(homes[0].node).toBe(B);
      expect(homes[0].epoch).toBeGreaterThan(6n);
    }
    expect(h.homeOf(moving)?.node).toBe(B);
  });

  it("converges to even loads without moving shards back and forth", () => {
    const h = new Harness([A, B, C], { maxSimultaneousRebalance: 3 });
    h.register(
      A,
      Array.from({ length: 30 }, (_, s) => [s, BigInt(s + 1)] as [number, bigint]),
    );
    h.register(B);
    h.register(C);
    h.take();
    const moves: { shardId: number; to: string }[] = [];
    const inFlight: { shardId: number; to: string }[] = [];
    for (let round = 0; round < 60; round++) {
      h.coordinator.rebalance();
      inFlight.push(...Harness.handOffs(h.take()));
      // complete only the oldest handoff each round, so others stay in flight over the next rounds
      const first = inFlight.shift();
      if (first === undefined) continue;
      moves.push(first);
      h.stopped(first.shardId, first.to);
      h.take();
    }
    expect(inFlight).toEqual([]);
    const counts = new Map<string, number>([
      [A, 0],
      [B, 0],
      [C, 0],
    ]);
    for (let s = 0; s < 30; s++) {
      const node = h.homeOf(s)!.node;
      counts.set(node, counts.get(node)! + 1);
    }
    expect(counts).toEqual(
      new Map([
        [A, 10],
        [B, 10],
        [C, 10],
      ]),
    );
    expect(moves.every((m) => m.to === A)).toBe(true); // only A gives shards away
  });

  it("moves every shard of a gracefully leaving region and never back to it", () => {
    const h = new Harness([A, B, C]);
    h.register(A, [
      [0, 1n],
      [1, 2n],
      [2, 3n],
      [3, 4n],
    ]);
    h.register(B, [[4, 5n]]);
    h.register(C, [
      [5, 6n],
      [6, 7n],
    ]);
    h.take();
    h.gracefulShutdown(A);
    const sent = h.take();
    expect(Harness.handOffs(sent).sort((x, y) => x.shardId - y.shardId)).toEqual([0, 1, 2, 3].map((shardId) => ({ to: A, shardId })));
    // asked again (the region repeats its request until done): no duplicate handoffs
    h.gracefulShutdown(A);
    expect(Harness.handOffs(h.take())).toEqual([]);
    const after = h.completeHandOffs(sent);
    const newHomes = Harness.homesTo(after, A);
    expect(newHomes.map((x) => x.shardId).sort()).toEqual([0, 1, 2, 3]);
    expect(newHomes.every((x) => x.node !== A)).toBe(true);
    expect(newHomes.filter((x) => x.node === B)).toHaveLength(3); // B had 1, C had 2: 4/4 after
    for (let s = 0; s < 20; s++) expect(h.homeOf(s, B)?.node).not.toBe(A);
    h.coordinator.rebalance();
    expect(Harness.handOffs(h.take()).every((x) => x.to !== A)).toBe(true);
  });

  it("tells a leaving region without shards at once that it has nothing to hand off", () => {
    const h = new Harness([A, B]);
    h.register(A);
    h.register(B, [[0, 1n]]);
    h.take();
    h.gracefulShutdown(A);
    expect(h.take()).toEqual([{ to: A, message: { $type: TYPE.homes, homes: [] } }]);
  });

  it("answers a repeated ShardStopped with the shard's new home, to the reporter only", () => {
    const h = new Harness([A, B], { maxSimultaneousRebalance: 1 });
    h.register(A, [
      [0, 1n],
      [1, 2n],
      [2, 3n],
    ]);
    h.register(B);
    h.take();
    h.coordinator.rebalance();
    const [handOff] = Harness.handOffs(h.take());
    h.stopped(handOff.shardId, A);
    const [home] = Harness.homesTo(h.take(), A);
    expect(home.node).toBe(B);
    h.stopped(handOff.shardId, A); // the answer was lost: the region reports again
    expect(h.take()).toEqual([{ to: A, message: { $type: TYPE.homes, homes: [home] } }]);
  });

  it("reallocates a shard whose handoff began under the previous coordinator", () => {
    // A was handing shard 7 off when the leader changed: it no longer reports the shard as owned,
    // and tells the new coordinator (which never asked) that it stopped.
    const h = new Harness([A, B], { rebuildWindow: 1000 });
    h.register(A, [[0, 5n]]);
    h.take();
    h.stopped(7, A);
    expect(h.take()).toEqual([]); // not ready: B has not registered, it may own shard 7
    h.register(B, [[1, 6n]]);
    h.take();
    h.stopped(7, A);
    const sent = h.take();
    const homes = Harness.homesTo(sent, A);
    expect(homes).toHaveLength(1);
    expect(homes[0].shardId).toBe(7);
    expect(homes[0].epoch).toBeGreaterThan(6n);
    expect(Harness.homesTo(sent, B)).toEqual(homes);
  });
});

describe("ShardCoordinator memberGone", () => {
  it("frees the shards of a removed node; they are allocated to the others when asked", () => {
    const h = new Harness([A, B, C]);
    h.register(A, [
      [0, 1n],
      [1, 2n],
    ]);
    h.register(B, [[2, 3n]]);
    h.register(C, [[3, 4n]]);
    h.up.delete(A);
    h.coordinator.memberGone(A);
    for (const s of [0, 1]) {
      const home = h.homeOf(s, B)!;
      expect([B, C]).toContain(home.node);
      expect(home.epoch).toBeGreaterThan(4n);
    }
    expect(h.homeOf(2, B)?.node).toBe(B);
    h.take();
    h.getHome(7, B);
    expect(Harness.homesTo(h.take(), A)).toEqual([]); // the gone region hears nothing more
  });

  it("reallocates a shard that was moving to the gone node when its old owner reports it stopped", () => {
    const h = new Harness([A, B, C], { maxSimultaneousRebalance: 1 });
    h.register(A, [
      [0, 1n],
      [1, 2n],
      [2, 3n],
    ]);
    h.register(B, [[3, 4n]]);
    h.register(C, [
      [4, 5n],
      [5, 6n],
    ]);
    h.take();
    h.coordinator.rebalance();
    const [handOff] = Harness.handOffs(h.take());
    expect(handOff).toEqual({ to: A, shardId: 2 }); // to B
    h.up.delete(B);
    h.coordinator.memberGone(B);
    h.stopped(2, A);
    const homes = Harness.homesTo(h.take(), A);
    expect(homes).toHaveLength(1);
    expect(homes[0].node).not.toBe(B);
  });

  it("reallocates a shard that was moving away from the node that is gone (its ShardStopped never comes)", () => {
    const h = new Harness([A, B], { maxSimultaneousRebalance: 1 });
    h.register(A, [
      [0, 1n],
      [1, 2n],
      [2, 3n],
    ]);
    h.register(B);
    h.take();
    h.coordinator.rebalance();
    const [handOff] = Harness.handOffs(h.take());
    expect(handOff.to).toBe(A);
    h.up.delete(A);
    h.coordinator.memberGone(A); // A crashed during the handoff
    const home = h.homeOf(handOff.shardId, B);
    expect(home?.node).toBe(B);
  });
});
