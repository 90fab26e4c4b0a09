import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, AskTimeoutError, Behaviors, DeadLetter, type ActorRef, type Behavior } from "../../src/index.js";
import { countingScheduler } from "../support/counting-scheduler.js";
import { VirtualScheduler } from "../support/virtual-scheduler.js";
import { sleep, waitFor } from "../support/wait.js";

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

type EchoMsg = { text: string; replyTo: ActorRef<string> };
const echo: Behavior<EchoMsg> = Behaviors.receive((_ctx, msg) => {
  msg.replyTo.tell(msg.text.toUpperCase());
  return Behaviors.same();
});

describe("ask", () => {
  it("resolves with the reply and leaves no pending ask or timer behind", async () => {
    const scheduler = countingScheduler();
    system = new ActorSystem({ name: "t", scheduler });
    const ref = system.spawn(echo, "echo");
    for (let i = 0; i < 1000; i++) {
      await expect(system.ask(ref, (replyTo: ActorRef<string>) => ({ text: `hi${i}`, replyTo }))).resolves.toBe(`HI${i}`);
    }
    const parallel = await Promise.all(Array.from({ length: 500 }, (_, i) => system.ask(ref, (replyTo: ActorRef<string>) => ({ text: `p${i}`, replyTo }))));
    expect(parallel[499]).toBe("P499");
    expect(system.asks.pendingCount).toBe(0);
    expect(scheduler.live).toBe(0);
  });

  it("an exposed ask is found by its path only, and not after it settled", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    let captured: ActorRef<string> | undefined;
    const holder = system.spawn(
      Behaviors.receive<EchoMsg>((_ctx, msg) => {
        captured = msg.replyTo;
        return Behaviors.same();
      }),
      "holder",
    );
    const asks = Array.from({ length: 40 }, () => system.ask(holder, (replyTo: ActorRef<string>) => ({ text: "x", replyTo })));
    void Promise.allSettled(asks); // the others fail at shutdown
    await waitFor(() => captured !== undefined, 5000, "the last request");
    const ref = captured as unknown as { path: string; expose(): void; id: number };
    ref.expose();
    expect(ref.path).toBe(`/temp/$${ref.id.toString(36)}`);
    expect(ref.id).toBeGreaterThan(36); // two digits
    expect(system.lookup(ref.path)).toBe(captured);
    for (const wrong of ["/temp/$", `/temp/$0${ref.id.toString(36)}`, "/temp/$Z", `/temp/${ref.id.toString(36)}`, "/temp/$-1"]) {
      expect(system.lookup(wrong)).toBeUndefined();
    }
    captured!.tell("done");
    expect(system.lookup(ref.path)).toBeUndefined();
    await expect(asks[39]).resolves.toBe("done");
  });

  it("sequential asks share one timer, which stops keeping the process alive when no ask is pending", async () => {
    const scheduler = countingScheduler();
    system = new ActorSystem({ name: "t", scheduler, logLevel: "silent" });
    const ref = system.spawn(echo, "echo");
    const before = scheduler.started;
    for (let i = 0; i < 200; i++) await system.ask(ref, (replyTo: ActorRef<string>) => ({ text: "x", replyTo }));
    expect(scheduler.started - before).toBe(1);
    expect(scheduler.armed).toBe(1);
    expect(scheduler.live).toBe(0);
    const pending = system.ask(system.spawn(Behaviors.receive<EchoMsg>(() => Behaviors.same())), (replyTo: ActorRef<string>) => ({ text: "x", replyTo }));
    expect(scheduler.live).toBe(1); // an ask waits: its timeout keeps the process alive again
    await system.shutdown();
    await expect(pending).rejects.toThrow(/terminated/);
    expect(scheduler.armed).toBe(0);
  });

  it("an ask made while the shared timer is armed for an older deadline still times out at its own", async () => {
    const scheduler = new VirtualScheduler(7);
    Object.assign(scheduler, { keepAlive: () => undefined }); // keeps idle timers armed, as the real scheduler does
    system = new ActorSystem({ name: "t", scheduler, logLevel: "silent" });
    const ref = system.spawn(echo, "echo");
    const silent = system.spawn(Behaviors.receive<EchoMsg>(() => Behaviors.same()));
    const first = system.ask(ref, (replyTo: ActorRef<string>) => ({ text: "a", replyTo }), { timeout: 30 });
    await scheduler.advance(1);
    await expect(first).resolves.toBe("A");
    await scheduler.advance(19); // t = 20: the timer armed for the first ask (t = 30) is still pending
    let outcome: unknown;
    system
      .ask(silent, (replyTo: ActorRef<string>) => ({ text: "b", replyTo }), { timeout: 30 })
      .then(
        (reply) => (outcome = reply),
        (error: unknown) => (outcome = error),
      );
    await scheduler.advance(20); // t = 40: the old deadline passed, the new one (t = 50) did not
    expect(outcome).toBeUndefined();
    await scheduler.advance(15);
    expect(outcome).toBeInstanceOf(AskTimeoutError);
    expect(system.asks.pendingCount).toBe(0);
  });

  it("rejects with AskTimeoutError and a late reply becomes a dead letter", async () => {
    const scheduler = countingScheduler();
    system = new ActorSystem({ name: "t", scheduler, logLevel: "silent" });
    const dead: DeadLetter[] = [];
    system.eventStream.subscribe(DeadLetter, (e) => dead.push(e));
    const slow = system.spawn(
      Behaviors.receive<EchoMsg>(async (_ctx, msg) => {
        await sleep(80);
        msg.replyTo.tell("late");
        return Behaviors.same();
      }),
      "slow",
    );
    const started = Date.now();
    const error = await system.ask(slow, (replyTo: ActorRef<string>) => ({ text: "x", replyTo }), { timeout: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AskTimeoutError);
    expect((error as Error).message).toMatch(/\/user\/slow timed out after 30 ms/);
    expect(Date.now() - started).toBeLessThan(1000);
    await waitFor(() => dead.length === 1);
    expect(dead[0].message).toBe("late");
    expect(system.asks.pendingCount).toBe(0);
    expect(scheduler.live).toBe(0);
  });

  it("ctx.ask maps reply and timeout to messages, without blocking the actor", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const results: string[] = [];
    const silent = system.spawn(
      Behaviors.receive<EchoMsg>(() => Behaviors.same()),
      "silent",
    );
    const echoRef = system.spawn(echo, "echo");
    type Msg = { kind: "go" } | { kind: "result"; text: string } | { kind: "ping" };
    const asker = system.spawn(
      Behaviors.receive<Msg>((ctx, msg) => {
        if (msg.kind === "go") {
          ctx.ask(
            silent,
            (replyTo: ActorRef<string>) => ({ text: "a", replyTo }),
            (text) => ({ kind: "result", text }),
            (e) => ({ kind: "result", text: (e as Error).name }),
            { timeout: 50 },
          );
          ctx.ask(
            echoRef,
            (replyTo: ActorRef<string>) => ({ text: "b", replyTo }),
            (text) => ({ kind: "result", text }),
            () => ({ kind: "result", text: "error" }),
          );
        } else if (msg.kind === "ping") results.push("ping");
        else results.push(msg.text);
        return Behaviors.same();
      }),
    );
    asker.tell({ kind: "go" });
    asker.tell({ kind: "ping" });
    await waitFor(() => results.length === 3);
    expect(results).toEqual(["ping", "B", "AskTimeoutError"]);
  });

  it("pipeToSelf delivers the outcome of a promise as a message", async () => {
    system = new ActorSystem({ name: "t" });
    const results: string[] = [];
    const ref = system.spawn(
      Behaviors.receive<string>((ctx, msg) => {
        if (msg === "start") {
          ctx.pipeToSelf(
            Promise.resolve(21),
            (n) => `ok ${n * 2}`,
            () => "failed",
          );
          ctx.pipeToSelf(
            Promise.reject(new Error("nope")),
            () => "ok",
            (e) => `failed ${(e as Error).message}`,
          );
        } else results.push(msg);
        return Behaviors.same();
      }),
    );
    ref.tell("start");
    await waitFor(() => results.length === 2);
    expect(results.sort()).toEqual(["failed nope", "ok 42"]);
  });

  it("fails pending asks when the system shuts down", async () => {
    system = new ActorSystem({ name: "t" });
    const silent = system.spawn(Behaviors.receive<EchoMsg>(() => Behaviors.same()));
    const pending = system.ask(silent, (replyTo: ActorRef<string>) => ({ text: "x", replyTo }), { timeout: 60_000 });
    await system.shutdown();
    await expect(pending).rejects.toThrow(/terminated/);
  });
});

describe("timers", () => {
  it("scheduleOnce, startTimer and cancelTimer; all cancelled when the actor stops", async () => {
    const scheduler = countingScheduler();
    system = new ActorSystem({ name: "t", scheduler });
    const seen: string[] = [];
    const ref = system.spawn(
      Behaviors.setup<string>((ctx) => {
        ctx.scheduleOnce(10, ctx.self, "once");
        ctx.scheduleOnce(10_000, ctx.self, "never");
        const cancelled = ctx.scheduleOnce(5, ctx.self, "cancelled");
        cancelled.cancel();
        ctx.startTimer("tick", "tick", 5);
        return Behaviors.receive((c, msg) => {
          seen.push(msg);
          if (msg === "tick" && seen.filter((m) => m === "tick").length === 3) c.cancelTimer("tick");
          if (msg === "stop") return Behaviors.stopped();
          return Behaviors.same();
        });
      }),
    );
    await waitFor(() => seen.includes("once") && seen.filter((m) => m === "tick").length === 3);
    await sleep(30);
    expect(seen.filter((m) => m === "tick")).toHaveLength(3);
    expect(seen).not.toContain("cancelled");
    expect(scheduler.live).toBe(1); // the 10 s one
    ref.tell("stop");
    await waitFor(() => scheduler.live === 0);
  });

  it("a new timer under the same key replaces the old one", async () => {
    system = new ActorSystem({ name: "t" });
    const seen: string[] = [];
    system.spawn(
      Behaviors.setup<string>((ctx) => {
        ctx.startTimer("k", "first", 5);
        ctx.startTimer("k", "second", 5);
        return Behaviors.receive((_c, msg) => {
          seen.push(msg);
          return Behaviors.same();
        });
      }),
    );
    await waitFor(() => seen.length >= 3);
    expect(new Set(seen)).toEqual(new Set(["second"]));
  });
});
