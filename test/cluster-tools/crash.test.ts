// The oldest node, in its own process, is killed with SIGKILL: once the two nodes in this process
// removed it, the singleton restarts on the next oldest, its receptionist entries drop out, and a
// counter kept in the shared SqliteJournal still has every acknowledged increment.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteJournal, type ActorRef, type ClusteredActorSystem } from "../../src/index.js";
import { distributed } from "../../src/distributed/distributed.js";
import { Receptionist } from "../../src/cluster-tools/receptionist.js";
import { Singletons } from "../../src/cluster-tools/singleton.js";
import { NodeProcess, type NodeLine } from "../support/node-process.js";
import { waitFor } from "../support/wait.js";
import { eventually } from "../sharding/fixtures/nodes.js";
import { Nodes } from "../distributed/fixtures/cluster.js";
import { ticker, Workers, type TickerMsg } from "./fixtures/tools.js";

const children: NodeProcess[] = [];
let nodes: Nodes | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const child of children) child.kill("SIGKILL");
  try {
    await waitFor(() => children.every((c) => c.exited !== undefined), 5000, "node processes to exit");
  } finally {
    children.length = 0;
    await nodes?.shutdownAll();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  }
});

describe("cluster tools when the oldest node process crashes", () => {
  it("restart the singleton on the next oldest once the node is removed; its registrations drop out; persistent data stays", { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "casty-tools-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "journal.db");
    const child = new NodeProcess<NodeLine>("test/cluster-tools/fixtures/tools-node.ts", ["--journal", file]);
    children.push(child);
    await waitFor(() => child.lines.some((l) => l.type === "up") || child.exited !== undefined, 20_000, "the node process Up").catch((e: unknown) => {
      throw new Error(`${(e as Error).message}: ${child.describe()}`);
    });
    const childAddress = child.address!;
    nodes = new Nodes();
    const local: ClusteredActorSystem[] = [];
    const started: string[] = [];
    const refs: ActorRef<TickerMsg>[] = [];
    const journals: SqliteJournal[] = [];
    for (let i = 0; i < 2; i++) {
      const system = await nodes.start([childAddress]);
      await system.cluster.whenUp(20_000);
      const journal = new SqliteJournal(file);
      cleanups.push(() => journal.close());
      journals.push(journal);
      distributed(system, { journal });
      refs.push(
        Singletons.of(system).start(
          ticker(system.selfAddress, () => started.push(system.selfAddress)),
          "ticker",
        ),
      );
      Receptionist.of(system).register(
        Workers,
        system.spawn(
          ticker(system.selfAddress, () => undefined),
          "worker",
        ),
      );
      local.push(system);
    }
    const where = (i: number) => local[i].ask(refs[i], (replyTo: ActorRef<string>) => ({ kind: "where", replyTo }), { timeout: 2000 });
    expect(await eventually(() => where(1), 10_000, "the singleton")).toBe(childAddress);
    await waitFor(() => local.every((s) => Receptionist.of(s).find(Workers).length === 3), 10_000, "three workers listed");
    const persistent = journals.map((journal, i) => distributed(local[i], { journal }).counter("kept"));
    const acknowledged = await Promise.all(Array.from({ length: 200 }, (_, i) => eventually(() => persistent[i % 2].increment(), 10_000, "an increment")));
    expect(Math.max(...acknowledged)).toBe(200);
    expect(started).toEqual([]);

    child.kill("SIGKILL");
    await waitFor(() => child.exited !== undefined, 5000, "the node process to die");
    await waitFor(() => local.every((s) => !s.cluster.state.members.some((m) => m.address === childAddress)), 40_000, "the killed node removed");
    expect(await eventually(() => where(0), 15_000, "the restarted singleton")).toBe(local[0].selfAddress);
    expect(started).toEqual([local[0].selfAddress]);
    await waitFor(() => local.every((s) => Receptionist.of(s).find(Workers).length === 2), 10_000, "the killed node's worker gone");
    expect(await eventually(() => persistent[1].get(), 20_000, "the kept counter")).toBe(200);
  });
});
