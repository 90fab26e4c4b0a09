// An ask through a region whose entity's node died rejects as soon as the message cannot be delivered
// (it became a dead letter), naming why, instead of waiting for its timeout.
import { afterEach, describe, expect, it } from "vitest";
import { AskTimeoutError, ShardEnvelope } from "../../src/index.js";
import { NodeProcess, type NodeLine } from "../support/node-process.js";
import { waitFor } from "../support/wait.js";
import type { CounterMsg, CounterState } from "./fixtures/counter.js";
import { eventually, ids, inc, ShardedNodes } from "./fixtures/nodes.js";
import { freePorts, stopAll } from "./fixtures/processes.js";

const children: NodeProcess[] = [];
let nodes: ShardedNodes | undefined;
afterEach(async () => {
  await stopAll(children, nodes);
  nodes = undefined;
});

describe("an ask through a region to an entity on a node that died", () => {
  it("rejects when its message becomes a dead letter, not at its timeout", { timeout: 60_000 }, async () => {
    nodes = new ShardedNodes();
    const [firstPort, childPort] = await freePorts(2);
    const first = await nodes.start([], { port: firstPort });
    const child = new NodeProcess<NodeLine>("test/sharding/fixtures/sharded-node.ts", ["--port", String(childPort), "--seeds", first.address]);
    children.push(child);
    await waitFor(
      () => child.lines.some((l) => l.type === "up") && first.system.cluster.state.members.filter((m) => m.status === "up").length === 2,
      20_000,
      "two nodes Up",
    );
    // shards go to the child's region once it registered with the coordinator (later on a loaded machine)
    let onChild: string | undefined;
    for (const deadline = Date.now() + 20_000; onChild === undefined;) {
      const replies = await Promise.all(ids(40).map((id) => eventually(() => inc(first, id), 10_000, `entity ${id}`)));
      onChild = replies.find((r) => r.node === child.address)?.id;
      if (onChild === undefined && Date.now() > deadline) throw new Error("no entity on the child node within 20 s");
      if (onChild === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
    }

    child.kill("SIGKILL");
    await waitFor(() => child.exited !== undefined, 5000, "the node process to die");
    const asked = Date.now();
    const outcome = await first.system
      .ask<ShardEnvelope<CounterMsg>, CounterState>(first.region, (replyTo) => new ShardEnvelope(onChild, { kind: "get", replyTo }), { timeout: 30_000 })
      .then(
        () => "answered",
        (error: unknown) => error,
      );
    expect(outcome).toBeInstanceOf(Error);
    expect(outcome).not.toBeInstanceOf(AskTimeoutError);
    expect((outcome as Error).message).toContain(child.address!);
    console.log(`ask to an entity of a dead node rejected after ${Date.now() - asked} ms: ${(outcome as Error).message}`);
  });
});
