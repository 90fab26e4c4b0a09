// Order per sender/receiver pair, over many batches, and the bounded outbound queue.
import { afterEach, describe, expect, it } from "vitest";
import { Behaviors, type ActorRef } from "../../src/index.js";
import { waitFor } from "../support/wait.js";
import { deadLetters, remoteRef, TestNodes } from "./fixtures/nodes.js";

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

type Seq = { readonly seq: number };

/** Counts messages and records the first one out of order. */
function sequenceChecker(): { behavior: ReturnType<typeof Behaviors.receive<Seq>>; state: { count: number; firstGap?: string } } {
  const state: { count: number; firstGap?: string } = { count: 0 };
  const behavior = Behaviors.receive<Seq>((_ctx, msg) => {
    if (msg.seq !== state.count && state.firstGap === undefined) state.firstGap = `expected #${state.count}, got #${msg.seq}`;
    state.count++;
    return Behaviors.same();
  });
  return { behavior, state };
}

describe("ordering", () => {
  it("delivers 100,000 messages from one sender to one remote receiver in order", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const checker = sequenceChecker();
    const ref: ActorRef<Seq> = remoteRef(a, b.spawn(checker.behavior, "seq"));
    const total = 100_000;
    // Tell in chunks with a macrotask between them, so batches go out while the sender goes on.
    for (let i = 0; i < total; i++) {
      ref.tell({ seq: i });
      if (i % 5_000 === 4_999) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => checker.state.count === total, 20_000, `${total} messages on B`);
    expect(checker.state.firstGap).toBeUndefined();
  });

  it("keeps order under backpressure: offer waits for room in a small outbound queue instead of dropping", async () => {
    const a = await nodes.start({ outboundQueueSize: 1_000 });
    const b = await nodes.start();
    const letters = deadLetters(a);
    const checker = sequenceChecker();
    const ref: ActorRef<Seq> = remoteRef(a, b.spawn(checker.behavior, "seq"));
    const total = 20_000;
    const offers: Promise<boolean>[] = [];
    for (let i = 0; i < total; i++) offers.push(ref.offer({ seq: i }));
    expect(await Promise.all(offers)).toEqual(new Array(total).fill(true));
    await waitFor(() => checker.state.count === total, 20_000, `${total} messages on B`);
    expect(checker.state.firstGap).toBeUndefined();
    expect(letters).toHaveLength(0);
  });

  it("turns tells beyond a full outbound queue into dead letters, the rest arrive in order", async () => {
    const a = await nodes.start({ outboundQueueSize: 100 });
    const b = await nodes.start();
    const letters = deadLetters(a);
    const checker = sequenceChecker();
    const ref: ActorRef<Seq> = remoteRef(a, b.spawn(checker.behavior, "seq"));
    // Before the first handshake completes nothing leaves the queue: 100 fit, 50 overflow.
    for (let i = 0; i < 150; i++) ref.tell({ seq: i });
    expect(letters.map((l) => (l.message as Seq).seq)).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
    expect(letters[0].reason).toContain("outbound queue");
    await waitFor(() => checker.state.count === 100, 5000, "the 100 queued messages on B");
    expect(checker.state.firstGap).toBeUndefined();
  });
});

describe("graceful shutdown of a sender", () => {
  it("delivers what it sent just before shutting down, in order", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const { behavior, state } = sequenceChecker();
    const ref = remoteRef(a, b.spawn(behavior, "seq"));
    const letters = deadLetters(a);
    for (let seq = 0; seq < 5000; seq++) ref.tell({ seq }); // several batches, the last ones still open
    await new Promise((resolve) => setImmediate(resolve)); // the first write is on its way
    for (let seq = 5000; seq < 10_000; seq++) ref.tell({ seq });
    await nodes.stop(a);
    await waitFor(() => state.count + letters.length >= 10_000, 5000, "every message delivered or reported");
    expect(letters).toHaveLength(0);
    expect(state.count).toBe(10_000);
    expect(state.firstGap).toBeUndefined();
  });
});

describe("batches sealed while a write is on its way", () => {
  it("go out when that write completes, with no later message to push them", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const { behavior, state } = sequenceChecker();
    const ref = remoteRef(a, b.spawn(behavior, "seq"));
    ref.tell({ seq: 0 });
    await waitFor(() => state.count === 1, 5000, "the connection up"); // associated, idle
    ref.tell({ seq: 1 }); // written at the end of this turn…
    await Promise.resolve();
    await Promise.resolve();
    for (let seq = 2; seq < 2 + 512; seq++) ref.tell({ seq }); // …while this fills and seals a whole batch
    await waitFor(() => state.count === 514, 3000, "the sealed batch delivered");
    expect(state.firstGap).toBeUndefined();
  });
});
