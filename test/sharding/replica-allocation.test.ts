// The coordinator with replication: primaries and replicas on distinct nodes, replicas added as nodes
// join, the furthest replica promoted when the primary's node is removed (pure state and decisions).
import { describe, expect, it } from "vitest";
import { replicasToAdd, withoutHolder, allocationAt, type ShardAllocation } from "../../src/sharding/allocation.js";
import { apply, emptyCoordinatorState, type CoordinatorState } from "../../src/sharding/coordinator-state.js";
import { ShardCoordinator } from "../../src/sharding/coordinator.js";
import { TYPE, type Coordination } from "../../src/sharding/protocol.js";

const node = (address: string) => ({ address, uid: 1n });
const [A, B, C, D] = ["a:1", "b:1", "c:1", "d:1"].map(node);

describe("replica allocation (pure)", () => {
  it("adds the least loaded nodes that do not hold the shard yet", () => {
    const allocations = new Map<number, ShardAllocation>([
      [0, allocationAt(A, 1n, [B])],
      [1, allocationAt(B, 2n, [C])],
    ]);
    expect(replicasToAdd(allocations, allocationAt(C, 3n), [A, B, C, D], 2).map((n) => n.address)).toEqual(["a:1", "d:1"]);
    expect(replicasToAdd(allocations, allocationAt(C, 3n, [A, D]), [A, B, C, D], 2)).toEqual([]);
    expect(replicasToAdd(allocations, allocationAt(A, 3n), [A], 2)).toEqual([]);
  });

  it("promotes the replica with the highest progress (lowest address on ties), with the given epoch", () => {
    const allocation = allocationAt(A, 4n, [B, C]);
    expect(
      withoutHolder(
        allocation,
        "a:1",
        new Map([
          ["c:1", 7n],
          ["b:1", 3n],
        ]),
        9n,
      ),
    ).toEqual(allocationAt(C, 9n, [B]));
    expect(withoutHolder(allocation, "a:1", undefined, 9n)).toEqual(allocationAt(B, 9n, [C]));
    expect(withoutHolder(allocation, "b:1", undefined, 9n)).toEqual(allocationAt(A, 4n, [C]));
    expect(withoutHolder(allocationAt(A, 4n), "a:1", undefined, 9n)).toBeUndefined();
    expect(withoutHolder(allocation, "d:1", undefined, 9n)).toBe(allocation);
  });

  it("a removed primary's shard goes to its furthest replica with a new epoch; progress is kept per shard and node", () => {
    let state: CoordinatorState = emptyCoordinatorState;
    for (const n of [A, B, C]) state = apply(state, { type: "regionRegistered", region: { node: n, hosting: true } });
    state = apply(state, { type: "shardAllocated", shard: 0, allocation: allocationAt(A, 5n, [B, C]) });
    state = apply(state, { type: "shardAllocated", shard: 1, allocation: allocationAt(B, 6n, [A]) });
    state = apply(state, { type: "replicaProgressed", shard: 0, node: "c:1", progress: 10n });
    state = apply(state, { type: "replicaProgressed", shard: 0, node: "c:1", progress: 4n }); // older news
    state = apply(state, { type: "replicaProgressed", shard: 0, node: "b:1", progress: 8n });
    state = apply(state, { type: "regionGone", node: "a:1" });
    expect(state.allocations.get(0)).toEqual(allocationAt(C, 7n, [B]));
    expect(state.allocations.get(1)).toEqual(allocationAt(B, 6n, []));
    expect(state.epoch).toBe(7n);
    expect(state.progress.get(0)).toEqual(
      new Map([
        ["b:1", 8n],
        ["c:1", 10n],
      ]),
    );
  });
});

describe("ShardCoordinator with replicas", () => {
  const silent = { debug() {}, info: (line: string) => logged.push(line), warn() {}, error() {} };
  const logged: string[] = [];

  function harness(replicas: number) {
    const up = new Set<string>();
    const sent: { to: string; message: Coordination }[] = [];
    const coordinator = new ShardCoordinator(
      { log: silent, now: () => 0, upMembers: () => up, unreachableMembers: () => new Set<string>(), send: (to, message) => sent.push({ to, message }) },
      { maxSimultaneousRebalance: 5, rebuildWindow: 0, replicas },
    );
    const register = (n: { address: string; uid: bigint }) => {
      up.add(n.address);
      coordinator.receive({ $type: TYPE.register, node: n.address, nodeUid: n.uid, hosting: true, owned: [], knownEpoch: 0n });
    };
    return { coordinator, register, sent, up };
  }

  it("allocates replicas on other nodes, logs once while there are too few nodes, and fills them as nodes join", () => {
    logged.length = 0;
    const h = harness(2);
    h.register(A);
    h.coordinator.receive({ $type: TYPE.getHome, shardId: 0, node: "a:1" });
    h.coordinator.receive({ $type: TYPE.getHome, shardId: 1, node: "a:1" });
    expect(h.coordinator.state.allocations.get(0)).toEqual(allocationAt(A, 1n));
    expect(logged.filter((l) => l.includes("fewer than 1 + 2 replicas"))).toHaveLength(1);
    h.register(B);
    h.register(C);
    for (const shard of [0, 1]) {
      const a = h.coordinator.state.allocations.get(shard)!;
      expect(a.primary.node).toEqual(A);
      expect(a.replicas.map((r) => r.address).sort()).toEqual(["b:1", "c:1"]);
    }
    // every region heard of the new replicas
    const announced = h.sent.filter((m) => m.to === "b:1" && m.message.$type === TYPE.homes);
    expect(announced.length).toBeGreaterThan(0);
    expect(logged.filter((l) => l.includes("fewer than"))).toHaveLength(1);
  });

  it("promotes a replica when the primary's node is removed, adds a new replica and broadcasts the change", () => {
    const h = harness(1);
    for (const n of [A, B, C]) h.register(n);
    h.coordinator.receive({ $type: TYPE.getHome, shardId: 0, node: "a:1" });
    const before = h.coordinator.state.allocations.get(0)!;
    const primary = before.primary.node.address;
    const replica = before.replicas[0].address;
    h.coordinator.receive({ $type: TYPE.progress, node: replica, shards: [{ shardId: 0, progress: 3n }] });
    h.sent.length = 0;
    h.up.delete(primary);
    h.coordinator.memberGone(primary);
    const after = h.coordinator.state.allocations.get(0)!;
    expect(after.primary.node.address).toBe(replica);
    expect(after.primary.epoch).toBeGreaterThan(before.primary.epoch);
    expect(after.replicas.map((r) => r.address)).toEqual([["a:1", "b:1", "c:1"].find((n) => n !== primary && n !== replica)]);
    expect(
      h.sent
        .filter((m) => m.message.$type === TYPE.homes)
        .map((m) => m.to)
        .sort(),
    ).toEqual(["a:1", "b:1", "c:1"].filter((n) => n !== primary));
  });

  it("a coordinator that never knew a shard's allocation homes it where its replicas got furthest, not on the least loaded node", () => {
    // the coordinator went down with the shard's primary; the new one knows the shard only from progress
    const h = harness(1);
    for (const n of [A, B, C]) h.register(n);
    h.coordinator.receive({ $type: TYPE.getHome, shardId: 1, node: "a:1" }); // a loads A and its replica
    h.coordinator.receive({ $type: TYPE.progress, node: "b:1", shards: [{ shardId: 0, progress: 5n }] });
    h.coordinator.receive({ $type: TYPE.progress, node: "c:1", shards: [{ shardId: 0, progress: 9n }] });
    h.coordinator.receive({ $type: TYPE.getHome, shardId: 0, node: "a:1" });
    expect(h.coordinator.state.allocations.get(0)!.primary.node).toEqual(C); // B is as little loaded and comes first
    // without any replica progress the least loaded region gets it, as before
    h.coordinator.receive({ $type: TYPE.getHome, shardId: 2, node: "a:1" });
    expect(h.coordinator.state.allocations.get(2)!.primary.node.address).not.toBe(h.coordinator.state.allocations.get(1)!.primary.node.address);
  });

  it("a shard it never knew gets the regions whose replicas progressed as its replicas, not the least loaded ones", () => {
    // the other holder may have acknowledged events the new primary lacks: it must stay a holder
    const h = harness(1);
    for (const n of [A, B, C, D]) h.register(n);
    h.coordinator.receive({ $type: TYPE.progress, node: "d:1", shards: [{ shardId: 0, progress: 5n }] });
    h.coordinator.receive({ $type: TYPE.progress, node: "c:1", shards: [{ shardId: 0, progress: 9n }] });
    h.coordinator.receive({ $type: TYPE.getHome, shardId: 0, node: "a:1" });
    expect(h.coordinator.state.allocations.get(0)).toEqual(allocationAt(C, 1n, [D]));
  });

  it("gives replicas to a region that registered before its node was Up, at the next periodic round", () => {
    const h = harness(1);
    h.register(A);
    h.coordinator.receive({ $type: TYPE.getHome, shardId: 0, node: "a:1" });
    h.coordinator.receive({ $type: TYPE.register, node: "b:1", nodeUid: 1n, hosting: true, owned: [], knownEpoch: 0n }); // not Up yet
    expect(h.coordinator.state.allocations.get(0)!.replicas).toEqual([]);
    h.up.add("b:1");
    h.sent.length = 0;
    h.coordinator.rebalance();
    expect(h.coordinator.state.allocations.get(0)!.replicas).toEqual([B]);
    expect(h.sent.filter((m) => m.message.$type === TYPE.homes).map((m) => m.to)).toEqual(["a:1", "b:1"]);
  });

  it("hands a leaving primary's shard to its replica", () => {
    const h = harness(1);
    for (const n of [A, B, C]) h.register(n);
    h.coordinator.receive({ $type: TYPE.getHome, shardId: 0, node: "a:1" });
    const { primary, replicas } = h.coordinator.state.allocations.get(0)!;
    h.coordinator.receive({ $type: TYPE.gracefulShutdown, node: primary.node.address });
    h.coordinator.receive({ $type: TYPE.stopped, shardId: 0, node: primary.node.address });
    expect(h.coordinator.state.allocations.get(0)!.primary.node).toEqual(replicas[0]);
  });
});
