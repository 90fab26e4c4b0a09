// A node process running sharded entities is killed with SIGKILL; the two nodes in this process must
// reallocate its shards (after downing it) so its entities answer again, within ~15 s.
import { afterEach, describe, expect, it } from "vitest";
import { NodeProcess, type NodeLine } from "../support/node-process.js";
import { sleep, waitFor } from "../support/wait.js";
import { doubleStarts, type CounterState } from "./fixtures/counter.js";
import { eventually, get, ids, inc, ShardedNodes, stats, waitForUp, type Node } from "./fixtures/nodes.js";
import { freePorts, stopAll } from "./fixtures/processes.js";

interface Line extends NodeLine {
  readonly message?: string;
}

const children: NodeProcess<Line>[] = [];
let nodes: ShardedNodes | undefined;
afterEach(async () => {
  await stopAll(children, nodes);
  nodes = undefined;
  doubleStarts.length = 0;
});

describe("sharding when a node process crashes", () => {
  it.each([
    ["a member", false],
    ["the leader (coordinator)", true],
  ])("reallocates the shards of %s killed with -9; its entities answer again within 15 s", { timeout: 60_000 }, async (_, childLeads) => {
    const [low, mid, high] = await freePorts(3);
    nodes = new ShardedNodes();
    const first = await nodes.start([], { port: mid });
    const childPort = childLeads ? low : high;
    const child = new NodeProcess<Line>("test/sharding/fixtures/sharded-node.ts", ["--port", String(childPort), "--seeds", first.address]);
    children.push(child);
    const second = await nodes.start([first.address], { port: childLeads ? high : low });
    const local = [first, second];
    await waitFor(() => child.address !== undefined || child.exited !== undefined, 15_000, "the node process to start").catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${child.describe()}`);
    });
    const childAddress = child.address!;
    await waitFor(
      () => local.every((n) => n.system.cluster.state.members.filter((m) => m.status === "up").length === 3) && child.lines.some((l) => l.type === "up"),
      20_000,
      "three nodes Up",
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${child.describe()} ${JSON.stringify(local.map((n) => n.system.cluster.state))}`);
    });
    expect(first.system.cluster.leader === childAddress).toBe(childLeads);

    const entityIds = ids(300);
    const before = new Map<string, CounterState>();
    for (const r of await Promise.all(entityIds.map((id) => eventually(() => inc(local[0], id, 2000), 10_000, `entity ${id}`)))) before.set(r.id, r);
    const onChild = entityIds.filter((id) => before.get(id)!.node === childAddress);
    expect(onChild.length).toBeGreaterThan(300 * 0.15);

    const killedAt = Date.now();
    child.kill("SIGKILL");
    await waitFor(() => child.exited !== undefined, 5000, "the node process to die");

    // every entity of the dead node answers again, from a survivor, with fresh state
    const answered = await Promise.all(
      onChild.map((id, i) =>
        eventually(() => get(local[i % 2], id, 1000), 15_000, `entity ${id} of the killed node`).then((r) => [r, Date.now() - killedAt] as const),
      ),
    );
    const recoveredAfter = Math.max(...answered.map(([, t]) => t));
    for (const [r] of answered) {
      expect(r.node).not.toBe(childAddress);
      expect(r.count).toBe(0);
    }
    expect(recoveredAfter).toBeLessThanOrEqual(15_000);
    // entities on the survivors never noticed
    for (const id of entityIds.filter((x) => !onChild.includes(x))) expect(await get(local[1], id)).toEqual(before.get(id));
    // the survivors own every shard between them, and agree on the membership
    await waitForUp(
      local.map((n) => n.system),
      5000,
    );
    const owned = local.flatMap((n: Node) => stats(n).shards);
    expect(new Set(owned).size).toBe(owned.length);
    expect(doubleStarts).toEqual([]);
    console.log(`kill -9 of ${childLeads ? "the leader" : "a member"}: its ${onChild.length} entities answered again after ${recoveredAfter} ms`);
    await sleep(0);
  });
});
