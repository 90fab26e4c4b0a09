import { afterEach, describe, expect, it } from "vitest";
import {
  ActorSystem,
  AskDeliveryError,
  AskTimeoutError,
  Behaviors,
  DeadLetter,
  Mailbox,
  MailboxOverflowStrategy,
  RemoteActorSystem,
  wrappedMessage,
  type ActorRef,
  type WrapsMessage,
} from "../../src/index.js";
import { deferred, waitFor } from "../support/wait.js";

// Every ask here may wait a minute, and each outcome is awaited for 2 s at most: a rejection in
// between is the fast path, not a timeout.
const patient = { timeout: 60_000 };
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

function start(): ActorSystem {
  system = new ActorSystem({ name: "fast", logLevel: "silent" });
  return system;
}

type Get = { readonly kind: "get"; readonly replyTo: ActorRef<number> };
const get = (replyTo: ActorRef<number>): Get => ({ kind: "get", replyTo });

/** Settles within `ms` of real time, or reports that it is still pending. */
async function outcome<T>(promise: Promise<T>, ms = 2000): Promise<{ value?: T; error?: unknown; pending?: true }> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<{ pending: true }>((resolve) => (timer = setTimeout(() => resolve({ pending: true }), ms)));
  try {
    return await Promise.race([promise.then((value) => ({ value })), pending]);
  } catch (error) {
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

async function stopped(s: ActorSystem): Promise<ActorRef<Get>> {
  const ref = s.spawn(
    Behaviors.receive<Get>(() => Behaviors.stopped()),
    "gone",
  );
  ref.tell({} as Get); // any message stops it
  await waitFor(() => s.lookup("/user/gone") === undefined, 2000, "the actor to stop");
  return ref;
}

describe("an ask whose request becomes a dead letter", () => {
  it("rejects at once when the recipient is stopped, naming the target and the reason", async () => {
    const s = start();
    const ref = await stopped(s);
    const result = await outcome(s.ask(ref, get, patient));
    expect(result.error).toBeInstanceOf(AskDeliveryError);
    const error = result.error as AskDeliveryError;
    expect(error.target).toBe(ref.address);
    expect(error.reason).toContain("recipient is terminated");
    expect(error.message).toContain(ref.address);
    expect(error.message).toContain("recipient is terminated");
    expect(s.asks.pendingCount).toBe(0);
  });

  it("rejects at once when the mailbox is full", async () => {
    const s = start();
    const gate = deferred<void>();
    const ref = s.spawn(
      Behaviors.receive<Get>(async (_ctx, msg) => {
        await gate.promise;
        msg.replyTo.tell(1);
        return Behaviors.same();
      }),
      "busy",
      { mailbox: new Mailbox({ capacity: 1, overflow: MailboxOverflowStrategy.dropNew }) },
    );
    const first = s.ask(ref, get, patient); // being handled
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = s.ask(ref, get, patient); // queued
    const third = await outcome(s.ask(ref, get, patient)); // no room
    expect(third.error).toBeInstanceOf(AskDeliveryError);
    expect((third.error as AskDeliveryError).reason).toContain("mailbox full (dropNew)");
    gate.resolve();
    await expect(first).resolves.toBe(1);
    await expect(second).resolves.toBe(1);
  });

  it("fails the asks still queued when the recipient stops", async () => {
    const s = start();
    const gate = deferred<void>();
    const ref = s.spawn(
      Behaviors.receive<Get>(async () => {
        await gate.promise;
        return Behaviors.stopped();
      }),
      "stopping",
    );
    const handled = s.ask(ref, get, { timeout: 100 }); // delivered, never answered: it times out
    const queued = [s.ask(ref, get, patient), s.ask(ref, get, patient)];
    gate.resolve();
    const results = await Promise.all(queued.map((a) => outcome(a)));
    for (const r of results) expect(r.error).toBeInstanceOf(AskDeliveryError);
    await expect(handled).rejects.toBeInstanceOf(AskTimeoutError);
  });

  it("finds the reply ref inside a wrapper that exposes its message through wrappedMessage", async () => {
    const s = start();
    class Envelope implements WrapsMessage {
      constructor(
        readonly id: string,
        readonly message: Get,
      ) {}
      get [wrappedMessage](): unknown {
        return this.message;
      }
    }
    const ref = (await stopped(s)) as unknown as ActorRef<Envelope>;
    const result = await outcome(s.ask(ref, (replyTo: ActorRef<number>) => new Envelope("e", get(replyTo)), patient));
    expect(result.error).toBeInstanceOf(AskDeliveryError);
  });

  it("also fails a bare-ref request (the request is the reply ref)", async () => {
    const s = start();
    const ref = (await stopped(s)) as unknown as ActorRef<ActorRef<number>>;
    const result = await outcome(s.ask(ref, (replyTo: ActorRef<number>) => replyTo, patient));
    expect(result.error).toBeInstanceOf(AskDeliveryError);
  });

  it("reaches ctx.ask's error mapping", async () => {
    const s = start();
    const target = await stopped(s);
    const seen = deferred<unknown>();
    s.spawn(
      Behaviors.setup<{ kind: "ok"; n: number } | { kind: "failed"; error: unknown }>((ctx) => {
        ctx.ask(
          target,
          get,
          (n) => ({ kind: "ok", n }),
          (error) => ({ kind: "failed", error }),
          patient,
        );
        return Behaviors.receive((_ctx, msg) => {
          seen.resolve(msg.kind === "failed" ? msg.error : msg.n);
          return Behaviors.same();
        });
      }),
    );
    const result = await outcome(seen.promise);
    expect(result.value).toBeInstanceOf(AskDeliveryError);
  });

  it("still publishes the DeadLetter, and leaves other dead letters and asks alone", async () => {
    const s = start();
    const dead: DeadLetter[] = [];
    s.eventStream.subscribe(DeadLetter, (e) => dead.push(e));
    const ref = await stopped(s);
    dead.length = 0;
    const echo = s.spawn(
      Behaviors.receive<Get>((_ctx, msg) => {
        msg.replyTo.tell(42);
        return Behaviors.same();
      }),
    );
    const answered = s.ask(echo, get, patient);
    ref.tell({ kind: "get", replyTo: echo as unknown as ActorRef<number> }); // a replyTo that is no ask
    ref.tell("plain" as never);
    const failed = await outcome(s.ask(ref, get, patient));
    expect(failed.error).toBeInstanceOf(AskDeliveryError);
    await expect(answered).resolves.toBe(42);
    expect(dead).toHaveLength(3);
  });
});

describe("an ask to an actor on a node that is not there", () => {
  it("rejects with AskDeliveryError once remoting gives the request up, long before the ask's timeout", async () => {
    // the request dead-letters after undeliveredTimeout (300 ms); the ask would wait a minute
    const node = await RemoteActorSystem.start({
      name: "asker",
      host: "127.0.0.1",
      port: 0,
      logLevel: "silent",
      undeliveredTimeout: 300,
      minBackoff: 20,
      maxBackoff: 100,
    });
    try {
      const nowhere = node.refFor<Get>("casty://asker@127.0.0.1:9/user/nobody"); // port 9 (discard): nothing answers
      const result = await outcome(node.ask(nowhere, get, patient), 10_000);
      expect(result.error).toBeInstanceOf(AskDeliveryError);
      expect((result.error as AskDeliveryError).target).toBe(nowhere.address);
      expect(node.asks.pendingCount).toBe(0);
    } finally {
      await node.shutdown();
    }
  });
});
