// A user's message that cannot be serialized, sent through a region to an entity on another node,
// must not take the region down: it becomes a dead letter naming why, and the region keeps routing.
import { afterEach, describe, expect, it } from "vitest";
import { DeadLetter, ShardEnvelope } from "../../src/index.js";
import { waitFor } from "../support/wait.js";
import type { CounterMsg } from "./fixtures/counter.js";
import { eventually, ids, inc, ShardedNodes } from "./fixtures/nodes.js";

let nodes: ShardedNodes | undefined;
afterEach(async () => {
  await nodes?.shutdownAll();
  nodes = undefined;
});

describe("a message that cannot be serialized", () => {
  it("sent to an entity on another node is a dead letter; local and remote entities still answer", { timeout: 30_000 }, async () => {
    nodes = new ShardedNodes({ numShards: 10 });
    const [a, b] = await nodes.cluster(2);
    // until b hosts shards (the coordinator may have homed every first shard on a before b registered)
    const deadline = Date.now() + 20_000;
    let first = await Promise.all(ids(20).map((id) => eventually(() => inc(a, id), 10_000, `entity ${id}`)));
    while (!first.some((r) => r.node === b.address) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      first = await Promise.all(ids(20).map((id) => eventually(() => inc(a, id), 10_000, `entity ${id}`)));
    }
    const remote = first.find((r) => r.node === b.address)!;
    const local = first.find((r) => r.node === a.address)!;
    const dead: DeadLetter[] = [];
    a.system.eventStream.subscribe(DeadLetter, (d) => dead.push(d));

    const poison = new ShardEnvelope<CounterMsg>(remote.id, { kind: "inc", by: (() => 1) as unknown as number });
    a.region.tell(poison);
    await waitFor(() => dead.some((d) => d.message === poison), 5000, "the envelope as a dead letter");
    expect(dead.find((d) => d.message === poison)!.reason).toMatch(/serializ/);

    // both still answer (a rebalance meanwhile may have moved one, restarting its count)
    expect((await inc(a, local.id)).count).toBeGreaterThan(0);
    expect((await inc(a, remote.id)).count).toBeGreaterThan(0);
  });
});
