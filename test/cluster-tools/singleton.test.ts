// Cluster singleton on three nodes in this process: where it runs, handover on leave with messages
// held meanwhile, and never two instances (a registry sees every start and stop).
import { afterEach, describe, expect, it } from "vitest";
import { Behaviors, ShutdownPhase, type ActorRef, type ClusteredActorSystem } from "../../src/index.js";
import { Singletons } from "../../src/cluster-tools/singleton.js";
import { waitForUp } from "../sharding/fixtures/nodes.js";
import { sleep, waitFor } from "../support/wait.js";
import { Nodes } from "../distributed/fixtures/cluster.js";

type Msg = { readonly kind: "where"; readonly replyTo: ActorRef<string> } | { readonly kind: "record"; readonly id: number };

/** Every start and stop of an instance, in this process. */
const registry = { running: new Set<string>(), maxRunning: 0, starts: [] as string[], received: new Set<number>() };

function instance(address: string) {
  return Behaviors.withLifecycle(
    Behaviors.receive<Msg>((_ctx, msg) => {
      if (msg.kind === "where") msg.replyTo.tell(address);
      else registry.received.add(msg.id);
      return Behaviors.same();
    }),
    {
      preStart: () => {
        registry.running.add(address);
        registry.starts.push(address);
        registry.maxRunning = Math.max(registry.maxRunning, registry.running.size);
      },
      postStop: () => void registry.running.delete(address),
    },
  );
}

let nodes: Nodes;
afterEach(async () => {
  await nodes.shutdownAll();
  registry.running.clear();
  registry.starts.length = 0;
  registry.received.clear();
  registry.maxRunning = 0;
});

function where(system: ClusteredActorSystem, ref: ActorRef<Msg>): Promise<string> {
  return system.ask(ref, (replyTo: ActorRef<string>) => ({ kind: "where", replyTo }), { timeout: 5000 });
}

describe("cluster singleton", () => {
  it("runs once, on the oldest node, reached from every node", async () => {
    nodes = new Nodes();
    const first = await nodes.start([]);
    await first.cluster.whenUp();
    const others = [await nodes.start([first.selfAddress]), await nodes.start([first.selfAddress])];
    const all = [first, ...others];
    await waitForUp(all, 15_000);
    const refs = all.map((s) => Singletons.of(s).start(instance(s.selfAddress), "scheduler"));
    for (const [i, system] of all.entries()) expect(await where(system, refs[i])).toBe(first.selfAddress);
    expect(registry.starts).toEqual([first.selfAddress]);
  });

  it("runs on the oldest node with the role", async () => {
    nodes = new Nodes();
    const first = await nodes.start([]);
    await first.cluster.whenUp();
    const backend = await nodes.start([first.selfAddress], { roles: ["backend"] });
    await backend.cluster.whenUp();
    const third = await nodes.start([first.selfAddress], { roles: ["backend"] });
    await waitForUp([first, backend, third], 15_000);
    const refs = [first, backend, third].map((s) => Singletons.of(s).start(instance(s.selfAddress), "jobs", { role: "backend" }));
    expect(await where(first, refs[0])).toBe(backend.selfAddress);
    expect(await where(third, refs[2])).toBe(backend.selfAddress);
  });

  it("hands over when the oldest leaves: stopped there, then started on the next oldest; messages meanwhile are held", async () => {
    nodes = new Nodes();
    const first = await nodes.start([]);
    await first.cluster.whenUp();
    const second = await nodes.start([first.selfAddress]);
    await second.cluster.whenUp();
    const third = await nodes.start([first.selfAddress]);
    await waitForUp([first, second, third], 15_000);
    const refs = [first, second, third].map((s) => Singletons.of(s).start(instance(s.selfAddress), "scheduler"));
    expect(await where(third, refs[2])).toBe(first.selfAddress);
    let sent = 0;
    const sending = setInterval(() => refs[2].tell({ kind: "record", id: sent++ }), 2);
    try {
      await nodes.stop(first);
      await waitFor(() => registry.running.has(second.selfAddress), 10_000, "the instance on the next oldest");
      expect(await where(third, refs[2])).toBe(second.selfAddress);
    } finally {
      clearInterval(sending);
    }
    await waitFor(() => registry.received.size === sent, 5000, `all ${sent} messages received`);
    expect(registry.starts).toEqual([first.selfAddress, second.selfAddress]);
    expect(registry.maxRunning).toBe(1);
  });

  it("does not start on a node whose shutdown started when the oldest leaves", async () => {
    nodes = new Nodes();
    const first = await nodes.start([]);
    await first.cluster.whenUp();
    const second = await nodes.start([first.selfAddress]);
    await waitForUp([first, second], 15_000);
    const refs = [first, second].map((s) => Singletons.of(s).start(instance(s.selfAddress), "scheduler"));
    expect(await where(second, refs[1])).toBe(first.selfAddress);
    // the second node's shutdown starts and waits in its first phase, so it is still Up
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    second.coordinatedShutdown.addTask(ShutdownPhase.beforeServiceUnbind, "hold", () => {
      holding = true;
      return held;
    });
    const secondDown = nodes.stop(second);
    try {
      await waitFor(() => holding, 5000, "the second node's shutdown started");
      await nodes.stop(first);
      await waitFor(() => second.cluster.state.members.every((m) => m.address !== first.selfAddress), 10_000, "the first node removed");
      await sleep(600); // three evaluation ticks of the manager
      expect(second.cluster.selfMember?.status).toBe("up");
      expect(registry.starts).toEqual([first.selfAddress]);
    } finally {
      release();
      await secondDown;
    }
  });
});
