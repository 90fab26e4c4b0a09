import { afterEach, describe, expect, it } from "vitest";
import {
  ActorSystem,
  Behaviors,
  DeadLetter,
  Directive,
  Mailbox,
  MailboxOverflowStrategy,
  OneForOneStrategy,
  type ActorRef,
  type Behavior,
} from "../../src/index.js";
import { CapturingLogger } from "../support/capturing-logger.js";
import { deferred, waitFor } from "../support/wait.js";

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

/** Fails the test when a promise rejection escapes to the process while `body` runs. */
async function noUnhandledRejection(body: () => Promise<void>): Promise<void> {
  const escaped: unknown[] = [];
  const listener = (reason: unknown): void => void escaped.push(reason);
  process.on("unhandledRejection", listener);
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, 20)); // let a stray rejection surface
  } finally {
    process.off("unhandledRejection", listener);
  }
  expect(escaped).toEqual([]);
}

type Msg = { readonly kind: "bad" } | { readonly kind: "ping"; readonly replyTo: ActorRef<string> };

/** Answers pings with "pong" (and its start count); on "bad" the handler returns `bad()`. */
function flaky(bad: () => unknown, async: boolean, starts: { count: number }): Behavior<Msg> {
  return Behaviors.setup(() => {
    const start = ++starts.count;
    const handle = (msg: Msg): Behavior<Msg> => {
      if (msg.kind === "bad") return bad() as Behavior<Msg>;
      msg.replyTo.tell(`pong ${start}`);
      return Behaviors.same();
    };
    return Behaviors.receive<Msg>(async ? async (_ctx, msg) => handle(msg) : (_ctx, msg) => handle(msg));
  });
}

const notBehaviors: [string, () => unknown][] = [
  ["undefined", () => undefined],
  ["a number", () => 42],
  ["a plain object", () => ({ kind: "oops" })],
];

describe("a handler that returns something that is not a Behavior", () => {
  for (const async of [true, false]) {
    for (const [what, bad] of notBehaviors) {
      it(`${async ? "async" : "sync"}, ${what}: fails like a throw, so supervision restarts the actor`, () =>
        noUnhandledRejection(async () => {
          const logger = new CapturingLogger();
          system = new ActorSystem({ name: "bad", logger });
          const starts = { count: 0 };
          const strategy = new OneForOneStrategy({ decider: () => Directive.restart });
          const ref = system.spawn(Behaviors.supervise(flaky(bad, async, starts), strategy), "flaky");
          ref.tell({ kind: "bad" });
          const reply = await system.ask(ref, (replyTo: ActorRef<string>) => ({ kind: "ping", replyTo }), { timeout: 2000 });
          expect(reply).toBe("pong 2");
          const lines = logger.matching(/\/user\/flaky failed, restarting: .*(handler (returned|resolved to)).*Behavior/, "warn");
          expect(lines).toHaveLength(1);
        }));
    }
  }

  it("without supervision, the actor stops and its watchers hear it", () =>
    noUnhandledRejection(async () => {
      system = new ActorSystem({ name: "bad", logLevel: "silent" });
      const ref = system.spawn(
        flaky(() => undefined, true, { count: 0 }),
        "flaky",
      );
      let stopped = false;
      system.spawn(
        Behaviors.setup<unknown>((ctx) => {
          ctx.watch(ref);
          return Behaviors.receive(() => {
            stopped = true;
            return Behaviors.same();
          });
        }),
      );
      ref.tell({ kind: "bad" });
      await waitFor(() => stopped, 2000, "Terminated of the failed actor");
      expect(system.lookup("/user/flaky")).toBeUndefined();
    }));
});

describe("offer", () => {
  it("resolves false when the message to a stopping actor becomes a dead letter", async () => {
    system = new ActorSystem({ name: "offer", logLevel: "silent" });
    const dead: DeadLetter[] = [];
    system.eventStream.subscribe(DeadLetter, (e) => dead.push(e));
    const gate = deferred<void>();
    const ref = system.spawn(
      Behaviors.withLifecycle(
        Behaviors.receive<string>(() => Behaviors.stopped()),
        { postStop: () => gate.promise },
      ),
      "slow-stop",
    );
    ref.tell("stop");
    await waitFor(() => system!.lookup("/user/slow-stop") !== undefined && dead.length === 0);
    await new Promise((resolve) => setTimeout(resolve, 10)); // "stop" handled: postStop is waiting
    const accepted = ref.offer("too late");
    gate.resolve();
    await expect(accepted).resolves.toBe(false);
    expect(dead.map((d) => d.message)).toEqual(["too late"]);
  });

  it("resolves false for a bounded dropNew mailbox that is full", async () => {
    system = new ActorSystem({ name: "offer", logLevel: "silent" });
    const gate = deferred<void>();
    const ref = system.spawn(
      Behaviors.receive<number>(async () => {
        await gate.promise;
        return Behaviors.same();
      }),
      "full",
      { mailbox: new Mailbox({ capacity: 1, overflow: MailboxOverflowStrategy.dropNew }) },
    );
    ref.tell(1); // being handled
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(ref.offer(2)).resolves.toBe(true);
    await expect(ref.offer(3)).resolves.toBe(false);
    gate.resolve();
  });

  it("resolves false through a ref whose tell dead-letters (a reply ref already answered)", async () => {
    system = new ActorSystem({ name: "offer", logLevel: "silent" });
    const dead: DeadLetter[] = [];
    system.eventStream.subscribe(DeadLetter, (e) => dead.push(e));
    let captured: ActorRef<number> | undefined;
    const ref = system.spawn(
      Behaviors.receive<ActorRef<number>>((_ctx, replyTo) => {
        captured = replyTo;
        replyTo.tell(1);
        return Behaviors.same();
      }),
    );
    await expect(system.ask(ref, (replyTo: ActorRef<number>) => replyTo)).resolves.toBe(1);
    await expect(captured!.offer(2)).resolves.toBe(false);
    expect(dead.map((d) => d.message)).toEqual([2]);
  });
});

describe("logLevel with a custom logger", () => {
  it("filters the custom logger's lines by logLevel", async () => {
    const logger = new CapturingLogger();
    system = new ActorSystem({ name: "levels", logger, logLevel: "warn" });
    system.log.debug("d");
    system.log.info("i");
    system.log.warn("w");
    system.log.error("e");
    const ref = system.spawn(
      Behaviors.receive<string>((ctx, msg) => {
        ctx.log.info(`actor info ${msg}`);
        ctx.log.warn(`actor warn ${msg}`);
        return Behaviors.same();
      }),
      "a",
    );
    ref.tell("x");
    await waitFor(() => logger.lines.length >= 3);
    expect(logger.lines.map((l) => `${l.level} ${l.message}`)).toEqual(["warn w", "error e", "warn [/user/a] actor warn x"]);
  });

  it("passes every line to a custom logger when no logLevel is given", () => {
    const logger = new CapturingLogger();
    system = new ActorSystem({ name: "levels", logger });
    system.log.debug("d");
    expect(logger.lines).toEqual([{ level: "debug", message: "d" }]);
  });

  it("refuses an unknown logLevel instead of logging nothing", () => {
    expect(() => new ActorSystem({ logLevel: "verbose" as never })).toThrow(/unknown logLevel "verbose"/);
  });

  it("silences a custom logger with logLevel silent", () => {
    const logger = new CapturingLogger();
    system = new ActorSystem({ name: "levels", logger, logLevel: "silent" });
    system.log.error("e");
    expect(logger.lines).toEqual([]);
  });
});
