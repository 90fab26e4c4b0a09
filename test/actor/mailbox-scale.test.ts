import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, Behaviors, DeadLetter, Mailbox, MailboxOverflowStrategy, type ActorRef } from "../../src/index.js";
import { deferred, waitFor } from "../support/wait.js";

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

/** An actor that blocks on a gate for its first message, so its mailbox fills up. */
function gated(seen: number[]) {
  const gate = deferred<void>();
  const behavior = Behaviors.receive<number>(async (_ctx, n) => {
    if (n === 0) await gate.promise;
    seen.push(n);
    return Behaviors.same();
  });
  return { behavior, open: gate.resolve };
}

describe("mailboxes", () => {
  it("dropNew refuses messages beyond capacity as dead letters", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const dead: unknown[] = [];
    system.eventStream.subscribe(DeadLetter, (e) => dead.push(e.message));
    const seen: number[] = [];
    const { behavior, open } = gated(seen);
    const ref = system.spawn(behavior, "b", { mailbox: new Mailbox({ capacity: 3 }) });
    ref.tell(0);
    await new Promise((r) => setImmediate(r)); // 0 is being processed, mailbox empty
    for (let i = 1; i <= 5; i++) ref.tell(i);
    open();
    await waitFor(() => seen.length === 4);
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(dead).toEqual([4, 5]);
  });

  it("dropOldest drops the head of the queue", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const dead: unknown[] = [];
    system.eventStream.subscribe(DeadLetter, (e) => dead.push(e.message));
    const seen: number[] = [];
    const { behavior, open } = gated(seen);
    const ref = system.spawn(behavior, "b", { mailbox: new Mailbox({ capacity: 3, overflow: MailboxOverflowStrategy.dropOldest }) });
    ref.tell(0);
    await new Promise((r) => setImmediate(r));
    for (let i = 1; i <= 5; i++) ref.tell(i);
    open();
    await waitFor(() => seen.length === 4);
    expect(seen).toEqual([0, 3, 4, 5]);
    expect(dead).toEqual([1, 2]);
  });

  it("backpressure: offer waits for room, in order; a plain tell on a full mailbox is a dead letter", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const dead: unknown[] = [];
    system.eventStream.subscribe(DeadLetter, (e) => dead.push(e.message));
    const seen: number[] = [];
    const { behavior, open } = gated(seen);
    const ref = system.spawn(behavior, "b", { mailbox: new Mailbox({ capacity: 2, overflow: MailboxOverflowStrategy.backpressure }) });
    ref.tell(0);
    await new Promise((r) => setImmediate(r));
    const offers = [1, 2, 3, 4].map((n) => ref.offer(n));
    let thirdDone = false;
    void offers[2].then(() => (thirdDone = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(thirdDone).toBe(false);
    ref.tell(99);
    open();
    expect(await Promise.all(offers)).toEqual([true, true, true, true]);
    await waitFor(() => seen.length === 5);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(dead).toEqual([99]);
  });

  it("offer to a stopped actor resolves false", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const ref = system.spawn(Behaviors.receive<number>(() => Behaviors.stopped()));
    ref.tell(1);
    await waitFor(() => system.lookup(ref.path) === undefined);
    await expect(ref.offer(2)).resolves.toBe(false);
  });
});

describe("ordering, fairness and scale", () => {
  it("keeps the order of 10,000 messages", async () => {
    system = new ActorSystem({ name: "t" });
    const seen: number[] = [];
    const ref = system.spawn(Behaviors.receive<number>((_c, n) => (seen.push(n), Behaviors.same())));
    for (let i = 0; i < 10_000; i++) ref.tell(i);
    await waitFor(() => seen.length === 10_000);
    expect(seen.every((n, i) => n === i)).toBe(true);
  });

  it("a 1,000,000-message flood does not delay a 10 ms timer by more than 100 ms", async () => {
    system = new ActorSystem({ name: "t" });
    let processed = 0;
    const flood = system.spawn(
      Behaviors.receive<number>(() => {
        // a little work per message so the flood takes well over the timer delay
        for (let i = 0; i < 150; i++) processed += i & 1;
        return Behaviors.same();
      }),
    );
    // the flood is queued first; its processing starts right after this turn, and the timer must
    // still fire on time while the actor works through it
    for (let i = 0; i < 1_000_000; i++) flood.tell(i);
    const timerFired = deferred<number>();
    const start = performance.now();
    setTimeout(() => timerFired.resolve(performance.now() - start), 10);
    const delay = await timerFired.promise;
    expect(delay).toBeLessThan(110);
    await waitFor(() => processed === 75_000_000, 20_000, "flood processed");
  });

  it("a flood for an async handler does not starve timers either (actors woken from microtasks)", async () => {
    system = new ActorSystem({ name: "t" });
    let processed = 0;
    const flood = system.spawn(
      Behaviors.receive<number>(async () => {
        for (let i = 0; i < 150; i++) processed += i & 1;
        return Behaviors.same();
      }),
    );
    for (let i = 0; i < 300_000; i++) flood.tell(i);
    const timerFired = deferred<number>();
    const start = performance.now();
    setTimeout(() => timerFired.resolve(performance.now() - start), 10);
    expect(await timerFired.promise).toBeLessThan(110);
    await waitFor(() => processed === 300_000 * 75, 20_000, "flood processed");
  });

  it("spawns and stops 100,000 actors", async () => {
    system = new ActorSystem({ name: "t" });
    const children: ActorRef<number>[] = [];
    const stopper = Behaviors.receive<number>(() => Behaviors.stopped());
    for (let i = 0; i < 100_000; i++) children.push(system.spawn(stopper));
    let alive = 100_000;
    for (const child of children) child.tell(1);
    await waitFor(
      () => {
        while (alive > 0 && system.lookup(children[alive - 1].path) === undefined) alive--;
        return alive === 0;
      },
      20_000,
      "all stopped",
    );
    expect(system.lookup(children[0].path)).toBeUndefined();
  });
});
