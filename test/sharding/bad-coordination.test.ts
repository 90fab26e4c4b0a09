// Coordination messages come from other nodes: one naming a node that is no address (a fuzzed or
// corrupt frame) is a dead letter with the reason, and the region, which runs the coordinator here,
// keeps routing; before, replying to that "node" threw and stopped the region.
import { afterEach, describe, expect, it } from "vitest";
import { DeadLetter } from "../../src/index.js";
import { TYPE, type Coordination } from "../../src/sharding/protocol.js";
import { waitFor } from "../support/wait.js";
import { inc, ShardedNodes } from "./fixtures/nodes.js";

let nodes: ShardedNodes | undefined;
afterEach(async () => {
  await nodes?.shutdownAll();
  nodes = undefined;
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
