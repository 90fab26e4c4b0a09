// Messages handled within the sender's call while the actor is idle: any message from the network
// (tellFromWire), by the behaviour, and those a router's inline route takes (receiveInline, any
// sender), without it. Nothing else changes: order, one message at a time, async handlers,
// supervision, and the mailbox for everything else.
import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, Behaviors, Directive, OneForOneStrategy, type ActorRef } from "../../src/index.js";
import { receiveInline, tellFromWire } from "../../src/actor/internal.js";
import { deferred, waitFor } from "../support/wait.js";

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

type Msg = number | string;

function recorder(seen: Msg[], onMessage: (self: ActorRef<Msg>, message: Msg) => void | Promise<void> = () => undefined) {
  return Behaviors.receive<Msg>((ctx, message) => {
    seen.push(message);
    const result = onMessage(ctx.self, message);
    return result instanceof Promise ? result.then(() => Behaviors.same()) : Behaviors.same();
  });
}

describe("tellFromWire", () => {
  it("an idle actor handles the message before the call returns; behind a queued one it waits", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    const ref = system.spawn(recorder(seen), "r");
    tellFromWire(ref, 1);
    expect(seen).toEqual([1]);
    ref.tell("later");
    tellFromWire(ref, 2); // behind a queued message: it must not overtake it
    expect(seen).toEqual([1]);
    await waitFor(() => seen.length === 3, 2000, "the queued messages");
    expect(seen).toEqual([1, "later", 2]);
  });

  it("what a handler sends to itself is queued, not nested", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    const ref = system.spawn(
      recorder(seen, (self, message) => {
        if (message === 1) {
          self.tell(2);
          seen.push("end of 1");
        }
      }),
      "r",
    );
    tellFromWire(ref, 1);
    expect(seen).toEqual([1, "end of 1"]);
    await waitFor(() => seen.length === 3, 2000, "the message sent to itself");
    expect(seen).toEqual([1, "end of 1", 2]);
  });

  it("an async handler in flight keeps later messages in the mailbox, in order", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    const gate = deferred<void>();
    const ref = system.spawn(
      recorder(seen, (_self, message) => (message === 1 ? gate.promise : undefined)),
      "r",
    );
    for (const n of [1, 2, 3]) tellFromWire(ref, n);
    expect(seen).toEqual([1]);
    gate.resolve();
    await waitFor(() => seen.length === 3, 2000, "the messages after the async handler");
    expect(seen).toEqual([1, 2, 3]);
  });

  it("a handler that throws is supervised as usual and the sender goes on", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    const failing = recorder(seen, (_self, message) => {
      if (message === 1) throw new Error("boom");
    });
    const strategy = new OneForOneStrategy({ maxRestarts: 3, within: 60_000, decider: () => Directive.restart });
    const ref = system.spawn(Behaviors.supervise(failing, strategy), "r");
    expect(() => tellFromWire(ref, 1)).not.toThrow();
    tellFromWire(ref, 2); // restarted by its supervisor: the next message is handled
    await waitFor(() => seen.includes(2), 2000, "the message after the failure");
    expect(seen).toEqual([1, 2]);
  });

  it("what the handler sends to other idle actors is queued, not run within the delivery", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    const other = system.spawn(recorder(seen), "other");
    const ref = system.spawn(
      recorder(seen, () => {
        other.tell("to other");
        seen.push("end of 1");
      }),
      "r",
    );
    tellFromWire(ref, 1);
    expect(seen).toEqual([1, "end of 1"]);
    await waitFor(() => seen.length === 3, 2000, "the message the handler sent");
    expect(seen[2]).toBe("to other");
  });

  it("runs at most a time slice of handlers within deliveries; then messages queue for the dispatcher, in order", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    const slow = recorder(seen, (_self, message) => {
      if (message !== 0) return;
      const until = performance.now() + 10; // longer than a dispatcher slice
      while (performance.now() < until);
    });
    const refs = Array.from({ length: 100 }, (_, i) => system.spawn(slow, `r${i}`));
    await new Promise((resolve) => setImmediate(resolve)); // a fresh slice
    refs.forEach((ref, i) => tellFromWire(ref, i));
    const inline = seen.length;
    expect(inline).toBeGreaterThan(0);
    expect(inline).toBeLessThan(100);
    await waitFor(() => seen.length === 100, 2000, "the queued deliveries");
    expect(seen).toEqual(refs.map((_, i) => i));
  });
});

describe("receiveInline", () => {
  /** An actor whose route takes numbers (into `routed`) and leaves the rest to its behaviour (into `seen`). */
  function router(routed: Msg[], seen: Msg[], onRoute: (self: ActorRef<Msg>, n: number) => void = () => undefined): ActorRef<Msg> {
    const ref = system.spawn(recorder(seen), "router");
    receiveInline(ref, (message) => {
      if (typeof message !== "number") return false;
      routed.push(message);
      onRoute(ref, message);
      return true;
    });
    return ref;
  }

  it("an idle actor's route takes the message within the tell, without the behaviour; what it declines goes to the behaviour", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const routed: Msg[] = [];
    const seen: Msg[] = [];
    const ref = router(routed, seen);
    ref.tell(1);
    expect(routed).toEqual([1]);
    ref.tell("declined");
    expect(seen).toEqual([]); // left to a turn of the dispatcher
    ref.tell(2); // behind the queued message: it must not overtake it, so the behaviour gets it
    expect(routed).toEqual([1]);
    await waitFor(() => seen.length === 2, 2000, "the queued messages");
    expect(seen).toEqual(["declined", 2]);
    ref.tell(3); // idle again
    expect(routed).toEqual([1, 3]);
  });

  it("what the route sends to its own actor is queued, not nested", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const routed: Msg[] = [];
    const seen: Msg[] = [];
    const ref = router(routed, seen, (self, n) => {
      if (n === 1) self.tell(2);
      routed.push(`end of ${n}`);
    });
    ref.tell(1);
    expect(routed).toEqual([1, "end of 1"]);
    await waitFor(() => seen.length === 1, 2000, "the message sent to itself");
    expect(seen).toEqual([2]);
  });

  it("a route that throws fails the actor as a handler would, and the sender goes on", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    let restarts = 0;
    const behavior = Behaviors.setup<Msg>((ctx) => {
      receiveInline(ctx.self, (message) => {
        if (message === 1) throw new Error("boom");
        return false;
      });
      return recorder(seen);
    });
    const strategy = new OneForOneStrategy({ maxRestarts: 3, within: 60_000, decider: () => (restarts++, Directive.restart) });
    const ref = system.spawn(Behaviors.supervise(behavior, strategy), "r");
    expect(() => ref.tell(1)).not.toThrow();
    expect(restarts).toBe(1);
    ref.tell(2);
    await waitFor(() => seen.includes(2), 2000, "the message after the failure");
    expect(seen).toEqual([2]);
  });

  it("without it, the same tell is handled later", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    const ref = system.spawn(recorder(seen), "r");
    ref.tell(1);
    expect(seen).toEqual([]);
    await waitFor(() => seen.length === 1, 2000, "the message");
  });
});
