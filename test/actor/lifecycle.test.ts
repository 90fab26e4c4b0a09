import { afterEach, describe, expect, it } from "vitest";
import { ActorStarted, ActorSystem, Behaviors, DeadLetter, Terminated, type ActorRef, type Behavior } from "../../src/index.js";
import { deferred, sleep, waitFor } from "../support/wait.js";

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

function logged(name: string, log: string[], children: string[] = [], slowStopMs = 0): Behavior<never> {
  return Behaviors.withLifecycle(
    Behaviors.setup<never>((ctx) => {
      for (const child of children) ctx.spawn(logged(`${name}/${child}`, log), child);
      return Behaviors.receive(() => Behaviors.same());
    }),
    {
      preStart: () => void log.push(`start ${name}`),
      postStop: async () => {
        if (slowStopMs > 0) await sleep(slowStopMs);
        log.push(`stop ${name}`);
      },
    },
  );
}

describe("stopping", () => {
  it("stops children before their parent and runs every postStop before shutdown resolves", async () => {
    system = new ActorSystem({ name: "t" });
    const log: string[] = [];
    system.spawn(logged("p", log, ["a", "b"], 20), "p");
    await waitFor(() => log.length === 3);
    await system.shutdown();
    expect(log.slice(3).sort()).toEqual(["stop p", "stop p/a", "stop p/b"].sort());
    expect(log.at(-1)).toBe("stop p");
    expect(system.isTerminated).toBe(true);
  });

  it("await using shuts the system down", async () => {
    const log: string[] = [];
    {
      await using s = new ActorSystem({ name: "scoped" });
      s.spawn(logged("x", log), "x");
      await waitFor(() => log.length === 1);
    }
    expect(log).toEqual(["start x", "stop x"]);
  });

  it("turns pending messages and messages to a stopped actor into dead letters", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const dead: DeadLetter[] = [];
    system.eventStream.subscribe(DeadLetter, (e) => dead.push(e));
    const gate = deferred<void>();
    const ref = system.spawn(
      Behaviors.receive<string>(async (_ctx, msg) => {
        if (msg === "first") {
          await gate.promise;
          return Behaviors.stopped();
        }
        return Behaviors.same();
      }),
      "slow",
    );
    ref.tell("first");
    ref.tell("pending-1");
    ref.tell("pending-2");
    gate.resolve();
    await waitFor(() => dead.length === 2);
    ref.tell("late");
    await waitFor(() => dead.length === 3);
    expect(dead.map((d) => d.message)).toEqual(["pending-1", "pending-2", "late"]);
    expect(dead[2].recipient?.equals(ref)).toBe(true);
  });

  it("ctx.stop only stops children", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const result = deferred<string>();
    const stranger = system.spawn(
      Behaviors.receive<never>(() => Behaviors.same()),
      "stranger",
    );
    system.spawn(
      Behaviors.setup<never>((ctx) => {
        try {
          ctx.stop(stranger);
          result.resolve("stopped");
        } catch (e) {
          result.resolve((e as Error).message);
        }
        return Behaviors.receive(() => Behaviors.same());
      }),
    );
    expect(await result.promise).toMatch(/is not a child of/);
  });
});

describe("death watch", () => {
  type WatcherMsg = Terminated | { kind: "watch"; ref: ActorRef<never> } | { kind: "unwatch"; ref: ActorRef<never> };

  function watcher(seen: string[]): Behavior<WatcherMsg> {
    return Behaviors.receive((ctx, msg) => {
      if (msg instanceof Terminated) seen.push(msg.ref.path);
      else if (msg.kind === "watch") ctx.watch(msg.ref);
      else ctx.unwatch(msg.ref);
      return Behaviors.same();
    });
  }

  it("delivers Terminated when the watched actor stops, and at once for a dead one", async () => {
    system = new ActorSystem({ name: "t" });
    const seen: string[] = [];
    const w = system.spawn(watcher(seen), "w");
    const target = system.spawn(
      Behaviors.receive<string>(() => Behaviors.stopped()),
      "target",
    );
    w.tell({ kind: "watch", ref: target });
    await sleep(5);
    target.tell("stop");
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual(["/user/target"]);
    w.tell({ kind: "watch", ref: target });
    await waitFor(() => seen.length === 2);
  });

  it("unwatch prevents the notice", async () => {
    system = new ActorSystem({ name: "t" });
    const seen: string[] = [];
    const w = system.spawn(watcher(seen), "w");
    const target = system.spawn(
      Behaviors.receive<string>(() => Behaviors.stopped()),
      "target",
    );
    w.tell({ kind: "watch", ref: target });
    w.tell({ kind: "unwatch", ref: target });
    await sleep(5);
    target.tell("stop");
    await waitFor(() => system.lookup("/user/target") === undefined);
    await sleep(20);
    expect(seen).toEqual([]);
  });
});

describe("event stream", () => {
  it("subscribes by class and unsubscribes", async () => {
    system = new ActorSystem({ name: "t" });
    const started: string[] = [];
    const off = system.eventStream.subscribe(ActorStarted, (e) => started.push(e.ref.path));
    system.spawn(
      Behaviors.receive<never>(() => Behaviors.same()),
      "one",
    );
    off();
    system.spawn(
      Behaviors.receive<never>(() => Behaviors.same()),
      "two",
    );
    expect(started).toEqual(["/user/one"]);
  });
});
