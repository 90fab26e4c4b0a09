// Behaviors.sharded on a plain ActorSystem: every shard is local.
import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, Behaviors, DeadLetter, OneForOneStrategy, passivate, regionStats, ShardEnvelope, type ActorRef } from "../../src/index.js";
import { sleep, waitFor } from "../support/wait.js";
import { counter, starts, type CounterMsg, type CounterState } from "./fixtures/counter.js";

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

function start(options: Parameters<typeof Behaviors.sharded>[1] = {}): ActorRef<ShardEnvelope<CounterMsg>> {
  system = new ActorSystem({ name: "single", logLevel: "error" });
  return system.spawn(Behaviors.sharded(counter("local"), { numShards: 10, ...options }), "counters");
}

function get(region: ActorRef<ShardEnvelope<CounterMsg>>, id: string, timeout = 2000): Promise<CounterState> {
  return system.ask(region, (r) => new ShardEnvelope(id, { kind: "get", replyTo: r }), { timeout });
}

function inc(region: ActorRef<ShardEnvelope<CounterMsg>>, id: string, timeout = 2000): Promise<CounterState> {
  return system.ask(region, (r) => new ShardEnvelope(id, { kind: "inc", replyTo: r }), { timeout });
}

function deadLetters(): DeadLetter[] {
  const seen: DeadLetter[] = [];
  system.eventStream.subscribe(DeadLetter, (d) => seen.push(d));
  return seen;
}

describe("sharded entities on one node", () => {
  it("keeps the state of each entity by id, asked through the region", async () => {
    const region = start();
    for (let i = 0; i < 3; i++) region.tell(new ShardEnvelope("alice", { kind: "inc" }));
    region.tell(new ShardEnvelope("bob", { kind: "inc", by: 10 }));
    const alice = await get(region, "alice");
    expect(alice).toMatchObject({ id: "alice", count: 3, node: "local" });
    expect(await get(region, "bob")).toMatchObject({ id: "bob", count: 10 });
    expect((await inc(region, "alice")).count).toBe(4);
    expect((await get(region, "alice")).incarnation).toBe(alice.incarnation);
    expect(await get(region, "carol")).toMatchObject({ count: 0 });
  });

  it("runs one instance per id and reports shards and entities", async () => {
    const region = start();
    const ids = Array.from({ length: 200 }, (_, i) => `e-${i}`);
    await Promise.all(ids.map((id) => inc(region, id)));
    await Promise.all(ids.map((id) => inc(region, id)));
    const counts = await Promise.all(ids.map((id) => get(region, id)));
    expect(counts.every((c) => c.count === 2)).toBe(true);
    const stats = regionStats(region)!;
    expect(stats.node).toBe("local");
    expect(stats.entities).toBe(200);
    expect(stats.shards).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(starts.filter(([, id]) => id.startsWith("e-")).map(([, id]) => id)).size).toBe(200);
  });

  it("accepts ids that are not valid actor names", async () => {
    const region = start();
    const ids = ["a/b", "user 1", "é", "日本", "..", ".", "%41", "x".repeat(300), "😀", "?#&"];
    for (const id of ids) region.tell(new ShardEnvelope(id, { kind: "inc" }));
    for (const id of ids) expect(await get(region, id)).toMatchObject({ id, count: 1 });
    expect(regionStats(region as ActorRef<never>)!.entities).toBe(ids.length);
    // "%41" and "A" are different entities
    expect(await get(region, "A")).toMatchObject({ id: "A", count: 0 });
  });

  it("rejects an envelope without an entity id", () => {
    expect(() => new ShardEnvelope("", { kind: "inc" })).toThrow(TypeError);
    expect(() => new ShardEnvelope(undefined as unknown as string, { kind: "inc" })).toThrow(TypeError);
  });

  it("keeps entity types apart", async () => {
    const a = start();
    const b = system.spawn(Behaviors.sharded(counter("local"), { numShards: 10 }), "others");
    a.tell(new ShardEnvelope("x", { kind: "inc" }));
    expect((await system.ask(b, (r) => new ShardEnvelope("x", { kind: "get", replyTo: r }))).count).toBe(0);
    expect((await get(a, "x")).count).toBe(1);
  });
});

describe("passivation of entities with layered behaviours", () => {
  type Msg = { kind: "add"; n: number; replyTo: ActorRef<number> } | { kind: "boom" } | { kind: "sleep" } | { kind: "get"; replyTo: ActorRef<number> };

  it("stops entities that are supervised, set up asynchronously and change behaviour, after their queued messages", async () => {
    let started = 0;
    const entity = () =>
      Behaviors.supervise(
        Behaviors.setup<Msg>(async () => {
          started++;
          await sleep(5);
          const counting = (total: number): ReturnType<typeof Behaviors.receive<Msg>> =>
            Behaviors.receive<Msg>((ctx, msg) => {
              switch (msg.kind) {
                case "add":
                  msg.replyTo.tell(total + msg.n);
                  return counting(total + msg.n);
                case "get":
                  msg.replyTo.tell(total);
                  return Behaviors.same();
                case "boom":
                  throw new Error("boom");
                case "sleep":
                  passivate(ctx);
                  return sleep(50).then(() => Behaviors.same<Msg>());
              }
            });
          return counting(0);
        }),
        new OneForOneStrategy(),
      );
    system = new ActorSystem({ name: "layered", logLevel: "silent" });
    const region = system.spawn(Behaviors.sharded(entity, { numShards: 4 }), "layered");
    const add = (n: number) => system.ask(region, (r) => new ShardEnvelope("x", { kind: "add", n, replyTo: r }), { timeout: 2000 });
    expect(await add(1)).toBe(1);
    expect(await add(2)).toBe(3);
    region.tell(new ShardEnvelope("x", { kind: "boom" })); // restarted by its supervisor: state starts over
    expect(await add(5)).toBe(5);
    expect(started).toBe(2);
    region.tell(new ShardEnvelope("x", { kind: "sleep" })); // asks to be passivated, busy meanwhile
    const queued = [add(1), add(1)];
    expect(await Promise.all(queued)).toEqual([6, 7]); // handled by the old instance before it stopped
    await waitFor(() => regionStats(region)!.entities === 0, 2000, "the entity to stop");
    expect(await add(10)).toBe(10);
    expect(started).toBe(3);
  });
});

describe("passivation", () => {
  it("stops an idle entity after passivateAfter; the next message starts it again with fresh state", async () => {
    const region = start({ passivateAfter: 200 });
    const first = await inc(region, "idle");
    expect(first.count).toBe(1);
    expect(regionStats(region as ActorRef<never>)!.entities).toBe(1);
    await waitFor(() => regionStats(region)!.entities === 0, 3000, "the idle entity to passivate");
    const again = await get(region, "idle");
    expect(again.count).toBe(0);
    expect(again.incarnation).not.toBe(first.incarnation);
  });

  it("does not passivate an entity that keeps receiving messages", async () => {
    const region = start({ passivateAfter: 300 });
    const first = await inc(region, "busy");
    const deadline = Date.now() + 900;
    let last = first;
    while (Date.now() < deadline) {
      last = await inc(region, "busy");
      await sleep(50);
    }
    expect(last.incarnation).toBe(first.incarnation);
    expect(last.count).toBeGreaterThan(5);
  });

  it("stops an entity that calls passivate(ctx); the next message starts it again", async () => {
    const region = start();
    const first = await inc(region, "p");
    region.tell(new ShardEnvelope("p", { kind: "passivate" }));
    await waitFor(() => regionStats(region)!.entities === 0, 2000, "the entity to passivate");
    const again = await inc(region, "p");
    expect(again.count).toBe(1);
    expect(again.incarnation).not.toBe(first.incarnation);
  });

  it("loses no message sent while an entity passivates", async () => {
    const region = start();
    const dead = deadLetters();
    await inc(region, "q");
    // the entity asks to be passivated, then stays busy: the increments reach its mailbox before the region stops it
    region.tell(new ShardEnvelope("q", { kind: "passivate", busyMs: 100 }));
    const acks = Array.from({ length: 20 }, () => inc(region, "q"));
    const late = sleep(50).then(() => Array.from({ length: 20 }, () => inc(region, "q")));
    const replies = [...(await Promise.all(acks)), ...(await Promise.all(await late))];
    expect(replies).toHaveLength(40);
    expect(dead.map((d) => d.message)).toEqual([]);
    // the increments before the passivation were handled by the old instance, the later ones by a new one
    const byIncarnation = new Map<number, number>();
    for (const r of replies) byIncarnation.set(r.incarnation, Math.max(byIncarnation.get(r.incarnation) ?? 0, r.count));
    expect(byIncarnation.size).toBe(2);
    const [oldMax, newMax] = [...byIncarnation.values()];
    expect(oldMax - 1 + newMax).toBe(40); // the old one had counted 1 before
    const final = await get(region, "q");
    expect(final.count).toBe(newMax);
  });

  it("loses no message sent to an idle entity while it is being passivated", async () => {
    const region = start({ passivateAfter: 100 });
    const dead = deadLetters();
    let sent = 0;
    let acked = 0;
    const deadline = Date.now() + 1500;
    while (Date.now() < deadline) {
      // bursts with pauses around the idle time, so passivation races with new messages
      const burst = Array.from({ length: 5 }, () => inc(region, "racy").then(() => acked++));
      sent += burst.length;
      await Promise.all(burst);
      await sleep(80 + Math.random() * 60);
    }
    expect(acked).toBe(sent);
    expect(dead).toEqual([]);
  });

  it("counts messages waiting for a stopping entity against bufferSize; the rest are dead letters", async () => {
    const region = start({ bufferSize: 5 });
    const dead = deadLetters();
    await inc(region, "s");
    region.tell(new ShardEnvelope("s", { kind: "passivate", busyMs: 1000 }));
    await sleep(100); // the region handled the passivation: the entity stops after its busy time
    for (let i = 0; i < 20; i++) region.tell(new ShardEnvelope("s", { kind: "inc" }));
    await waitFor(() => dead.length === 15, 3000, "15 dead letters");
    expect(dead.every((d) => d.reason === "shard region buffer is full")).toBe(true);
    const startsOfS = () => starts.filter(([, id]) => id === "s").length;
    const before = startsOfS();
    await waitFor(() => startsOfS() > before, 5000, "the entity to start again with its buffered messages");
    const after = await get(region, "s");
    expect(after.count).toBe(5); // a new instance got the 5 buffered ones
  });

  it("makes every message it holds a dead letter when the region stops", async () => {
    const region = start();
    const dead = deadLetters();
    await inc(region, "t");
    region.tell(new ShardEnvelope("t", { kind: "passivate", busyMs: 1000 }));
    await sleep(100);
    const held = Array.from({ length: 3 }, (_, i) => new ShardEnvelope<CounterMsg>("t", { kind: "inc", by: i + 1 }));
    for (const envelope of held) region.tell(envelope);
    await get(region, "u"); // the region handled the three before this
    await system.shutdown();
    expect(dead.filter((d) => d.reason === "shard region stopped").map((d) => d.message)).toEqual(held);
  });
});
