import { afterEach, describe, expect, it } from "vitest";
import { ActorRestarted, ActorStopped, ActorSystem, Behaviors, Directive, OneForOneStrategy, type ActorRef, type Behavior } from "../../src/index.js";
import { waitFor } from "../support/wait.js";

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

type Msg = "inc" | "boom" | ActorRef<number>;

/** Counts in closure state; "boom" throws. */
function fragile(onSetup: () => void = () => {}): Behavior<Msg> {
  return Behaviors.setup(() => {
    onSetup();
    let n = 0;
    return Behaviors.receive((_ctx, msg) => {
      if (msg === "boom") throw new Error("boom");
      if (msg === "inc") n++;
      else msg.tell(n);
      return Behaviors.same();
    });
  });
}

const quiet = { logLevel: "silent" as const };

describe("supervision", () => {
  it("without a strategy a failing actor stops and ActorStopped is published", async () => {
    system = new ActorSystem({ name: "t", ...quiet });
    const stopped: string[] = [];
    system.eventStream.subscribe(ActorStopped, (e) => stopped.push(e.ref.path));
    const ref = system.spawn(fragile(), "fragile");
    ref.tell("boom");
    await waitFor(() => stopped.includes("/user/fragile"));
    expect(system.lookup("/user/fragile")).toBeUndefined();
  });

  it("restart resets closure state and keeps the ref", async () => {
    system = new ActorSystem({ name: "t", ...quiet });
    const restarts: unknown[] = [];
    system.eventStream.subscribe(ActorRestarted, (e) => restarts.push(e.error));
    let setups = 0;
    const ref = system.spawn(
      Behaviors.supervise(
        fragile(() => setups++),
        new OneForOneStrategy(),
      ),
      "w",
    );
    ref.tell("inc");
    ref.tell("inc");
    await expect(system.ask(ref, (r: ActorRef<number>) => r)).resolves.toBe(2);
    ref.tell("boom");
    await expect(system.ask(ref, (r: ActorRef<number>) => r)).resolves.toBe(0);
    expect(setups).toBe(2);
    expect(restarts).toHaveLength(1);
    expect((restarts[0] as Error).message).toBe("boom");
  });

  it("stops the actor when restarts exceed the limit within the window", async () => {
    system = new ActorSystem({ name: "t", ...quiet });
    const ref = system.spawn(Behaviors.supervise(fragile(), new OneForOneStrategy({ maxRestarts: 2, within: 60_000 })), "w");
    ref.tell("boom");
    ref.tell("boom");
    await expect(system.ask(ref, (r: ActorRef<number>) => r)).resolves.toBe(0);
    expect(system.lookup("/user/w")).toBeDefined();
    ref.tell("boom");
    await waitFor(() => system.lookup("/user/w") === undefined);
  });

  it("decider chooses per error", async () => {
    system = new ActorSystem({ name: "t", ...quiet });
    const strategy = new OneForOneStrategy({ decider: (e) => ((e as Error).message === "boom" ? Directive.stop : Directive.restart) });
    const ref = system.spawn(Behaviors.supervise(fragile(), strategy), "w");
    ref.tell("boom");
    await waitFor(() => system.lookup("/user/w") === undefined);
  });

  it("a failure in setup is a failure: supervised restarts, then the limit stops it", async () => {
    system = new ActorSystem({ name: "t", ...quiet });
    let attempts = 0;
    const failingSetup = Behaviors.setup<Msg>(() => {
      attempts++;
      throw new Error("cannot start");
    });
    system.spawn(Behaviors.supervise(failingSetup, new OneForOneStrategy({ maxRestarts: 3 })), "s");
    await waitFor(() => system.lookup("/user/s") === undefined);
    expect(attempts).toBe(4);
  });

  it("a failing preStart hook fails the actor", async () => {
    system = new ActorSystem({ name: "t", ...quiet });
    system.spawn(
      Behaviors.withLifecycle(fragile(), {
        preStart: () => {
          throw new Error("no");
        },
      }),
      "h",
    );
    await waitFor(() => system.lookup("/user/h") === undefined);
  });

  it("escalate stops the child and fails the parent, which applies its own supervision", async () => {
    system = new ActorSystem({ name: "t", ...quiet });
    let parentSetups = 0;
    const childRefs: ActorRef<Msg>[] = [];
    const parent = Behaviors.supervise(
      Behaviors.setup<ActorRef<ActorRef<Msg>>>((ctx) => {
        parentSetups++;
        const child = ctx.spawn(Behaviors.supervise(fragile(), new OneForOneStrategy({ decider: () => Directive.escalate })), "child");
        childRefs.push(child);
        return Behaviors.receive((_c, replyTo) => {
          replyTo.tell(child);
          return Behaviors.same();
        });
      }),
      new OneForOneStrategy(),
    );
    const p = system.spawn(parent, "parent");
    const firstChild = await system.ask(p, (r: ActorRef<ActorRef<Msg>>) => r);
    firstChild.tell("boom");
    await waitFor(() => parentSetups === 2, 2000, "parent restart");
    const secondChild = await system.ask(p, (r: ActorRef<ActorRef<Msg>>) => r);
    expect(secondChild.path).toBe("/user/parent/child");
    expect(secondChild === firstChild).toBe(false);
    await expect(system.ask(secondChild, (r: ActorRef<number>) => r)).resolves.toBe(0);
  });

  it("escalate to an unsupervised parent stops the parent", async () => {
    system = new ActorSystem({ name: "t", ...quiet });
    const p = system.spawn(
      Behaviors.setup<ActorRef<ActorRef<Msg>>>((ctx) => {
        const child = ctx.spawn(Behaviors.supervise(fragile(), new OneForOneStrategy({ decider: () => Directive.escalate })), "child");
        return Behaviors.receive((_c, replyTo) => {
          replyTo.tell(child);
          return Behaviors.same();
        });
      }),
      "parent",
    );
    const child = await system.ask(p, (r: ActorRef<ActorRef<Msg>>) => r);
    child.tell("boom");
    await waitFor(() => system.lookup("/user/parent") === undefined);
  });

  it("restart stops the old children and calls preRestart/postRestart", async () => {
    system = new ActorSystem({ name: "t", ...quiet });
    const log: string[] = [];
    const child = Behaviors.withLifecycle(
      Behaviors.receive<never>(() => Behaviors.same()),
      {
        postStop: () => void log.push("child postStop"),
      },
    );
    const ref = system.spawn(
      Behaviors.supervise(
        Behaviors.withLifecycle(
          Behaviors.setup<string>((ctx) => {
            ctx.spawn(child, "kid");
            return Behaviors.receive(() => {
              throw new Error("fail");
            });
          }),
          {
            preRestart: (_ctx, e) => void log.push(`preRestart ${(e as Error).message}`),
            postRestart: () => void log.push("postRestart"),
          },
        ),
        new OneForOneStrategy(),
      ),
      "p",
    );
    ref.tell("x");
    await waitFor(() => log.includes("postRestart"));
    expect(log).toEqual(["preRestart fail", "child postStop", "postRestart"]);
    expect(system.lookup("/user/p/kid")).toBeDefined();
  });
});
