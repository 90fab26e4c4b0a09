// Messages handled within the sender's call while the actor is idle: those an actor accepts through
// receiveInline (any sender), and any message from the network (tellFromWire). Nothing else changes:
// order, one message at a time, async handlers, supervision, and the mailbox for everything else.
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

const numbersOnly = (message: Msg) => typeof message === "number";

/** The two ways a number reaches an idle actor within the call: set up on `ref`, then `deliver`. */
const ways = [
  { name: "receiveInline", prepare: (ref: ActorRef<Msg>) => receiveInline(ref, numbersOnly), deliver: (ref: ActorRef<Msg>, n: number) => ref.tell(n) },
  { name: "tellFromWire", prepare: () => undefined, deliver: (ref: ActorRef<Msg>, n: number) => tellFromWire(ref, n) },
];

describe.each(ways)("$name", ({ prepare, deliver }) => {
  it("an idle actor handles the message before the call returns; behind a queued one it waits", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    const ref = system.spawn(recorder(seen), "r");
    prepare(ref);
    deliver(ref, 1);
    expect(seen).toEqual([1]);
    ref.tell("later");
    deliver(ref, 2); // behind a queued message: it must not overtake it
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
    prepare(ref);
    deliver(ref, 1);
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
    prepare(ref);
    for (const n of [1, 2, 3]) deliver(ref, n);
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
    prepare(ref);
    expect(() => deliver(ref, 1)).not.toThrow();
    deliver(ref, 2); // restarted by its supervisor: the next message is handled
    await waitFor(() => seen.includes(2), 2000, "the message after the failure");
    expect(seen).toEqual([1, 2]);
  });
});

describe("receiveInline", () => {
  it("without it, the same tell is handled later", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    const ref = system.spawn(recorder(seen), "r");
    ref.tell(1);
    expect(seen).toEqual([]);
    await waitFor(() => seen.length === 1, 2000, "the message");
  });
});

describe("tellFromWire", () => {
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
