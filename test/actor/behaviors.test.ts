import { afterEach, describe, expect, it } from "vitest";
import {
  ActorSystem,
  Behaviors,
  DuplicateActorNameError,
  InvalidActorNameError,
  InvalidOptionError,
  Mailbox,
  SystemTerminatedError,
  UnhandledMessage,
  type ActorRef,
  type Behavior,
} from "../../src/index.js";
import { deferred, sleep, waitFor } from "../support/wait.js";

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

type CounterMsg = { kind: "increment"; amount: number } | { kind: "get"; replyTo: ActorRef<number> };

function counter(value = 0): Behavior<CounterMsg> {
  return Behaviors.receive((_ctx, msg) => {
    switch (msg.kind) {
      case "increment":
        return counter(value + msg.amount);
      case "get":
        msg.replyTo.tell(value);
        return Behaviors.same();
    }
  });
}

describe("behaviours", () => {
  it("keeps state by returning new behaviours", async () => {
    system = new ActorSystem({ name: "t" });
    const ref = system.spawn(counter(), "counter");
    for (let i = 1; i <= 10; i++) ref.tell({ kind: "increment", amount: i });
    await expect(system.ask(ref, (replyTo: ActorRef<number>) => ({ kind: "get", replyTo }))).resolves.toBe(55);
  });

  it("runs setup with the context once per start", async () => {
    system = new ActorSystem({ name: "t" });
    let setups = 0;
    const ref = system.spawn(
      Behaviors.setup<ActorRef<string>>((ctx) => {
        setups++;
        const path = ctx.self.path;
        return Behaviors.receive((_c, replyTo) => {
          replyTo.tell(path);
          return Behaviors.same();
        });
      }),
      "with-setup",
    );
    await expect(system.ask(ref, (r: ActorRef<string>) => r)).resolves.toBe("/user/with-setup");
    await expect(system.ask(ref, (r: ActorRef<string>) => r)).resolves.toBe("/user/with-setup");
    expect(setups).toBe(1);
  });

  it("processes one message at a time, also with async handlers", async () => {
    system = new ActorSystem({ name: "t" });
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: number[] = [];
    const done = deferred<void>();
    const ref = system.spawn(
      Behaviors.receive<number>(async (_ctx, n) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(1);
        seen.push(n);
        inFlight--;
        if (n === 19) done.resolve();
        return Behaviors.same();
      }),
    );
    for (let i = 0; i < 20; i++) ref.tell(i);
    await done.promise;
    expect(maxInFlight).toBe(1);
    expect(seen).toEqual([...Array(20).keys()]);
  });

  it("async handlers may return a new behaviour", async () => {
    system = new ActorSystem({ name: "t" });
    const asyncCounter = (n: number): Behavior<ActorRef<number> | "inc"> =>
      Behaviors.receive(async (_ctx, msg) => {
        await Promise.resolve();
        if (msg === "inc") return asyncCounter(n + 1);
        msg.tell(n);
        return Behaviors.same();
      });
    const ref = system.spawn(asyncCounter(0));
    ref.tell("inc");
    ref.tell("inc");
    await expect(system.ask(ref, (r: ActorRef<number>) => r)).resolves.toBe(2);
  });

  it("publishes UnhandledMessage for Behaviors.unhandled()", async () => {
    system = new ActorSystem({ name: "t" });
    const events: UnhandledMessage[] = [];
    system.eventStream.subscribe(UnhandledMessage, (e) => events.push(e));
    const ref = system.spawn(
      Behaviors.receive<string>(() => Behaviors.unhandled()),
      "picky",
    );
    ref.tell("what?");
    await waitFor(() => events.length === 1);
    expect(events[0].message).toBe("what?");
    expect(events[0].ref.equals(ref)).toBe(true);
  });

  it("stops on Behaviors.stopped()", async () => {
    system = new ActorSystem({ name: "t" });
    const ref = system.spawn(
      Behaviors.receive<string>(() => Behaviors.stopped()),
      "once",
    );
    ref.tell("bye");
    await waitFor(() => system.lookup("/user/once") === undefined);
  });

  it("Behaviors.restart() restarts with fresh state", async () => {
    system = new ActorSystem({ name: "t" });
    type Msg = "inc" | "reset" | ActorRef<number>;
    const ref = system.spawn(
      Behaviors.setup<Msg>(() => {
        let n = 0;
        return Behaviors.receive((_ctx, msg) => {
          if (msg === "inc") n++;
          else if (msg === "reset") return Behaviors.restart();
          else msg.tell(n);
          return Behaviors.same();
        });
      }),
    );
    ref.tell("inc");
    ref.tell("inc");
    await expect(system.ask(ref, (r: ActorRef<number>) => r)).resolves.toBe(2);
    ref.tell("reset");
    await expect(system.ask(ref, (r: ActorRef<number>) => r)).resolves.toBe(0);
  });
});

describe("hierarchy", () => {
  it("gives children paths under their parent and finds them with lookup", async () => {
    system = new ActorSystem({ name: "t" });
    const ready = deferred<string[]>();
    system.spawn(
      Behaviors.setup<never>((ctx) => {
        const child = ctx.spawn(
          Behaviors.setup<never>((c) => {
            c.spawn(
              Behaviors.receive<never>(() => Behaviors.same()),
              "grandchild",
            );
            return Behaviors.receive(() => Behaviors.same());
          }),
          "child",
        );
        ready.resolve([child.path, ...ctx.children.map((c) => c.path)]);
        return Behaviors.receive(() => Behaviors.same());
      }),
      "parent",
    );
    expect(await ready.promise).toEqual(["/user/parent/child", "/user/parent/child"]);
    expect(system.lookup("/user/parent/child/grandchild")?.path).toBe("/user/parent/child/grandchild");
    expect(system.lookup("/user/parent/nobody")).toBeUndefined();
    expect(system.lookup("/user/parent")?.address).toBe("casty://t/user/parent");
  });

  it("refuses a duplicate child name and invalid names with clear errors", () => {
    system = new ActorSystem({ name: "t" });
    system.spawn(counter(), "dup");
    expect(() => system.spawn(counter(), "dup")).toThrow(DuplicateActorNameError);
    expect(() => system.spawn(counter(), "a/b")).toThrow(InvalidActorNameError);
    expect(() => system.spawn(counter(), "")).toThrow(InvalidActorNameError);
    expect(() => system.spawn(counter(), "$reserved")).toThrow(/invalid actor name/);
  });

  it("generates unique names when none is given", () => {
    system = new ActorSystem({ name: "t" });
    const a = system.spawn(counter());
    const b = system.spawn(counter());
    expect(a.path).not.toBe(b.path);
    expect(a.equals(b)).toBe(false);
    expect(a.equals(system.lookup(a.path))).toBe(true);
  });

  it("refuses bad options and spawning on a stopped system", async () => {
    system = new ActorSystem({ name: "t" });
    expect(() => new Mailbox({ capacity: -1 })).toThrow(InvalidOptionError);
    expect(() => new Mailbox({ capacity: 1.5 })).toThrow(InvalidOptionError);
    const ref = system.spawn(counter());
    await expect(system.ask(ref, (r: ActorRef<number>) => ({ kind: "get", replyTo: r }), { timeout: 0 })).rejects.toThrow(InvalidOptionError);
    expect(() => new ActorSystem({ name: "bad name" })).toThrow(InvalidOptionError);
    await system.shutdown();
    expect(() => system.spawn(counter())).toThrow(SystemTerminatedError);
  });
});
