// Bad input must not take a shard region down. A user's message that cannot be serialized, sent
// through a region to an entity on another node, becomes a dead letter naming why. A coordination
// message naming a node that is no address (a fuzzed or corrupt frame from another node) is a dead
// letter with the reason; before, replying to that "node" threw and stopped the region, which runs the
// coordinator here. Either way the region keeps routing.
import { afterEach, describe, expect, it } from "vitest";
import { DeadLetter, ShardEnvelope } from "../../src/index.js";
import { waitFor } from "../support/wait.js";
import type { CounterMsg } from "./fixtures/counter.js";
import { TYPE, type Coordination } from "../../src/sharding/protocol.js";
import { ids, inc, ShardedNodes, spreadEvenly } from "./fixtures/nodes.js";

let nodes: ShardedNodes | undefined;
afterEach(async () => {
  await nodes?.shutdownAll();
  nodes = undefined;
});

describe("a message that cannot be serialized", () => {
  it("sent to an entity on another node is a dead letter; local and remote entities still answer", { timeout: 30_000 }, async () => {
    nodes = new ShardedNodes({ numShards: 10 });
    const [a, b] = await nodes.cluster(2);
    const first = await spreadEvenly(a, [a, b], ids(20));
    const remote = first.find((r) => r.node === b.address)!;
    const local = first.find((r) => r.node === a.address)!;
    const dead: DeadLetter[] = [];
    a.system.eventStream.subscribe(DeadLetter, (d) => dead.push(d));

    const poison = new ShardEnvelope<CounterMsg>(remote.id, { kind: "inc", by: (() => 1) as unknown as number });
    a.region.tell(poison);
    await waitFor(() => dead.some((d) => d.message === poison), 5000, "the envelope as a dead letter");
    expect(dead.find((d) => d.message === poison)!.reason).toMatch(/serializ/);

    expect((await inc(a, local.id)).count).toBe(local.count + 1);
    expect((await inc(a, remote.id)).count).toBe(remote.count + 1);
  });
});

describe("a coordination message naming no valid node", () => {
  it("is a dead letter; the region keeps running its coordinator and its entities", { timeout: 30_000 }, async () => {
    nodes = new ShardedNodes({ numShards: 10 });
    const [a] = await nodes.cluster(1);
    expect((await inc(a, "before")).count).toBe(1);
    const dead: DeadLetter[] = [];
    a.system.eventStream.subscribe(DeadLetter, (d) => dead.push(d));
    const bad: Coordination[] = [
      { $type: TYPE.register, node: "", nodeUid: 1n, hosting: true, owned: [], knownEpoch: 0n },
      { $type: TYPE.getHome, shardId: 3, node: "no port" },
      { $type: TYPE.homes, homes: [{ shardId: 4, node: "127.0.0.1:1", nodeUid: 1n, epoch: 99n, replicas: [{ node: "::", nodeUid: 2n }] }] },
    ];
    for (const message of bad) (a.region as unknown as { tell(m: Coordination): void }).tell(message);
    await waitFor(() => dead.length === bad.length, 5000, "a dead letter per bad message");
    expect(dead.map((d) => d.reason)).toEqual([
      expect.stringMatching(/RegisterRegion: invalid node address ""/),
      expect.stringMatching(/GetShardHome/),
      expect.stringMatching(/ShardHomes/),
    ]);
    expect((await inc(a, "before")).count).toBe(2);
    expect((await inc(a, "after")).count).toBe(1);
  });
});
