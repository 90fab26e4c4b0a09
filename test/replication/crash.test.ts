// The node process holding primaries of replicated accounts is killed with -9 in the middle of deposits
// from the two nodes in this process (replicas: 1, minAcks: 1, one InMemoryJournal per node): every
// deposit that was acknowledged is in the balance the promoted replica answers with, none twice, and
// deposits go on after the failover.
import { afterEach, describe, expect, it } from "vitest";
import { shardOf } from "../../src/index.js";
import { NodeProcess, type NodeLine } from "../support/node-process.js";
import { freePorts } from "../support/free-port.js";
import { sleep, waitFor } from "../support/wait.js";
import { eventually } from "../sharding/fixtures/nodes.js";
import { deposit, ReplicatedNodes, stats, view } from "./fixtures/nodes.js";

const children: NodeProcess[] = [];
let nodes: ReplicatedNodes | undefined;
afterEach(async () => {
  for (const child of children) child.kill("SIGKILL");
  await waitFor(() => children.every((c) => c.exited !== undefined), 5000, "node processes to exit").finally(() => (children.length = 0));
  await nodes?.shutdownAll();
  nodes = undefined;
});

describe("shard replication when the primary's process is killed", () => {
  it("keeps every acknowledged deposit across kill -9 of the primary's node", { timeout: 60_000 }, async () => {
    const [port] = await freePorts(1);
    nodes = new ReplicatedNodes({ replicas: 1, minAcks: 1, ackTimeout: 2000 }, 20);
    const first = await nodes.start([]);
    const second = await nodes.start([first.address]);
    const local = [first, second];
    const child = new NodeProcess<NodeLine>("test/replication/fixtures/replicated-node.ts", ["--port", String(port), "--seeds", first.address]);
    children.push(child);
    await waitFor(() => local.every((n) => n.system.cluster.state.members.filter((m) => m.status === "up").length === 3), 20_000, "three nodes Up").catch(
      (e: unknown) => {
        throw new Error(`${(e as Error).message}: ${child.describe()}`);
      },
    );
    const childAddress = child.address!;
    const ids = Array.from({ length: 60 }, (_, i) => `acct-${i}`);
    for (const id of ids) await eventually(() => deposit(local[0], id, 1, `warm-${id}`, 2000), 15_000, `account ${id}`);
    const onChild = ids.filter((id) => stats(first).replication?.get(shardOf(id, 20))?.primary === childAddress);
    expect(onChild.length).toBeGreaterThan(0);

    // deposits in flight from both local nodes; the acknowledged ones are recorded
    const acked = new Map<string, Set<string>>(ids.map((id) => [id, new Set([`warm-${id}`])]));
    let running = true;
    let sent = 0;
    const traffic = local.map(async (node, n) => {
      while (running) {
        await Promise.all(
          ids.map((id) => {
            const depositId = `${n}-${sent++}`;
            return deposit(node, id, 1, depositId, 3000).then(
              () => acked.get(id)!.add(depositId),
              () => undefined, // not acknowledged: it may or may not be there
            );
          }),
        );
      }
    });
    await sleep(800);
    child.kill("SIGKILL");
    await waitFor(() => child.exited !== undefined, 5000, "the node process to die");
    await waitFor(() => local.every((n) => n.system.cluster.state.members.every((m) => m.address !== childAddress)), 20_000, "the killed node to be removed");
    await sleep(1000);
    running = false;
    await Promise.all(traffic);

    let lostAcked = 0;
    for (const id of ids) {
      const v = await eventually(() => view(local[1], id, 1000), 20_000, `account ${id}`);
      expect(v.node).not.toBe(childAddress);
      expect(new Set(v.deposits).size).toBe(v.deposits.length);
      for (const depositId of acked.get(id)!) if (!v.deposits.includes(depositId)) lostAcked++;
      expect(v.balance).toBe(v.deposits.length);
    }
    expect(lostAcked).toBe(0);
    const ackedOnChild = onChild.reduce((sum, id) => sum + acked.get(id)!.size, 0);
    expect(ackedOnChild).toBeGreaterThan(onChild.length); // deposits were acknowledged by the killed primary before it died
    // writes after the failover
    for (const id of onChild) await eventually(() => deposit(local[0], id, 1, `after-${id}`, 2000), 10_000, `deposit to ${id}`);
    for (const id of onChild) expect((await view(local[0], id)).deposits).toContain(`after-${id}`);
  });
});
