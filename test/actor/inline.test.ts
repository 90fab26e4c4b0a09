// receiveInline: an idle actor handles the messages it accepts within the sender's tell, and nothing
// else changes: order, one message at a time, async handlers, and the mailbox for everything else.
import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, Behaviors, Directive, OneForOneStrategy, type ActorRef } from "../../src/index.js";
import { receiveInline } from "../../src/actor/internal.js";
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

describe("receiveInline", () => {
  it("an idle actor handles an accepted message before tell returns; others wait for the dispatcher", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    const ref = system.spawn(recorder(seen), "r");
    receiveInline(ref, numbersOnly);
    ref.tell(1);
    expect(seen).toEqual([1]);
    ref.tell("later");
    ref.tell(2); // behind a queued message: it must not overtake it
    expect(seen).toEqual([1]);
    await waitFor(() => seen.length === 3, 2000, "the queued messages");
    expect(seen).toEqual([1, "later", 2]);
  });

  it("without it, the same tell is handled later", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    const ref = system.spawn(recorder(seen), "r");
    ref.tell(1);
    expect(seen).toEqual([]);
    await waitFor(() => seen.length === 1, 2000, "the message");
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
    receiveInline(ref, numbersOnly);
    ref.tell(1);
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
    receiveInline(ref, numbersOnly);
    ref.tell(1);
    ref.tell(2);
    ref.tell(3);
    expect(seen).toEqual([1]);
    gate.resolve();
    await waitFor(() => seen.length === 3, 2000, "the messages after the async handler");
    expect(seen).toEqual([1, 2, 3]);
  });

  it("a handler that throws inline is supervised as usual and the sender goes on", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: Msg[] = [];
    const failing = recorder(seen, (_self, message) => {
      if (message === 1) throw new Error("boom");
    });
    const strategy = new OneForOneStrategy({ maxRestarts: 3, within: 60_000, decider: () => Directive.restart });
    const ref = system.spawn(Behaviors.supervise(failing, strategy), "r");
    receiveInline(ref, numbersOnly);
    expect(ref.tell(1)).toBe(true);
    ref.tell(2); // restarted by its supervisor: the next message is handled
    await waitFor(() => seen.includes(2), 2000, "the message after the failure");
    expect(seen).toEqual([1, 2]);
  });
});
