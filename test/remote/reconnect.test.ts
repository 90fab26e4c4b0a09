// Connection loss and a peer restarted on the same port (new incarnation).
import { afterEach, describe, expect, it } from "vitest";
import type { RemoteActorSystem } from "../../src/index.js";
import { sleep, waitFor } from "../support/wait.js";
import { CapturingLogger, deadLetters, isAssociated, probe, remoteRef, TestNodes } from "./fixtures/nodes.js";

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

const fastRetry = { undeliveredTimeout: 300, minBackoff: 20, maxBackoff: 100 };

describe("reconnect", () => {
  it("resumes after the peer restarts on the same port; messages sent meanwhile arrive or become dead letters", async () => {
    const log = new CapturingLogger();
    const a = await nodes.start({ ...fastRetry, logger: log });
    let b: RemoteActorSystem = await nodes.start();
    const port = b.port;
    const uidBefore = b.uid;
    let inbox = probe<string>(b, "inbox");
    const ref = a.refFor<string>(`casty://test@127.0.0.1:${port}/user/inbox`);
    const restarts: boolean[] = [];
    a.onAssociated((_peer, _uid, restarted) => restarts.push(restarted));

    ref.tell("before");
    await waitFor(() => inbox.received.length === 1, 5000, "the first message");

    await nodes.stop(b);
    // No waiting for A to notice: a graceful shutdown ends A's stream before it completes.
    const letters = deadLetters(a);
    const during = Array.from({ length: 50 }, (_, i) => `during-${i}`);
    for (const m of during) ref.tell(m);
    // Long enough for undeliveredTimeout to run out while B is down.
    await new Promise((resolve) => setTimeout(resolve, 600));

    b = await nodes.start({ port });
    expect(b.uid).not.toBe(uidBefore);
    inbox = probe<string>(b, "inbox");
    await waitFor(
      () => {
        ref.tell("after");
        return inbox.received.includes("after");
      },
      10_000,
      "A's messages flowing to the new B",
    );
    expect(restarts).toEqual([false, true]);
    expect(log.matching(/restarted \(new incarnation/, "info")).toHaveLength(1);

    // Every message sent during the outage either arrived at the new B or became a dead letter on A.
    const arrived = inbox.received.filter((m) => m.startsWith("during-"));
    const dropped = letters.map((l) => l.message as string).filter((m) => m.startsWith("during-"));
    expect(arrived.length + dropped.length).toBe(during.length);
    expect([...arrived, ...dropped].sort()).toEqual([...during].sort());
    // With B down longer than undeliveredTimeout they are all dead letters.
    expect(dropped).toHaveLength(during.length);
    expect(letters[0].reason).toContain("unreachable");
  });

  it("delivers messages queued during a short outage once the peer is back", async () => {
    const a = await nodes.start({ minBackoff: 20, maxBackoff: 100, undeliveredTimeout: 10_000 });
    let b: RemoteActorSystem = await nodes.start();
    const port = b.port;
    const ref = a.refFor<string>(`casty://test@127.0.0.1:${port}/user/inbox`);
    let inbox = probe<string>(b, "inbox");
    ref.tell("before");
    await waitFor(() => inbox.received.length === 1, 5000, "the first message");

    await nodes.stop(b);
    await waitFor(() => !isAssociated(ref), 5000, "A noticing the lost connection");
    const letters = deadLetters(a);
    for (let i = 0; i < 20; i++) ref.tell(`queued-${i}`);
    b = await nodes.start({ port });
    inbox = probe<string>(b, "inbox");
    await waitFor(() => inbox.received.length === 20, 10_000, "the queued messages on the new B");
    expect(inbox.received).toEqual(Array.from({ length: 20 }, (_, i) => `queued-${i}`));
    expect(letters).toHaveLength(0);
  });

  it("reconnects within maxBackoff after a long outage (the gRPC channel's own backoff does not take over)", async () => {
    const a = await nodes.start({ minBackoff: 20, maxBackoff: 100, undeliveredTimeout: 300 });
    let b: RemoteActorSystem = await nodes.start();
    const port = b.port;
    const ref = a.refFor<string>(`casty://test@127.0.0.1:${port}/user/inbox`);
    let inbox = probe<string>(b, "inbox");
    ref.tell("before");
    await waitFor(() => inbox.received.length === 1, 5000, "the first message");

    await nodes.stop(b);
    // 6.5 s of failing dials: gRPC's default channel backoff (1 s × 1.6ⁿ, ±20 %) would next dial at ≥ 7.4 s.
    const down = Date.now();
    while (Date.now() - down < 6_500) {
      ref.tell("while down");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    b = await nodes.start({ port });
    inbox = probe<string>(b, "inbox");
    const restarted = Date.now();
    await waitFor(
      () => {
        ref.tell("after");
        return inbox.received.includes("after");
      },
      10_000,
      "A's messages flowing to the new B",
    );
    expect(Date.now() - restarted).toBeLessThan(700);
  }, 20_000);

  // Written batches stay on A until B acknowledges them; a break turns the unconfirmed ones into dead
  // letters on A. A batch B delivered but could not confirm in time is reported on both sides, so
  // every message is accounted for at least once, never silently lost.
  it("accounts for every message sent while the peer shuts down under load", async () => {
    const a = await nodes.start(fastRetry);
    const b = await nodes.start();
    const inbox = probe<number>(b, "inbox");
    const ref = a.refFor<number>(inbox.ref.address);
    const [lettersA, lettersB] = [deadLetters(a), deadLetters(b)];
    let sent = 0;
    let pumping = true;
    const pump = (async () => {
      while (pumping) {
        for (let i = 0; i < 2000; i++) ref.tell(sent++);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await nodes.stop(b);
    pumping = false;
    await pump;
    const accounted = () => new Set([...inbox.received, ...[...lettersA, ...lettersB].map((letter) => letter.message as number)]);
    await waitFor(() => accounted().size === sent, 5000, "every message accounted for");
    const all = accounted();
    for (let n = 0; n < sent; n++) if (!all.has(n)) expect.fail(`message ${n} is neither received nor a dead letter`);
  });
});

describe("a peer that shuts down cleanly", () => {
  it("is logged at info level, not as a warning", async () => {
    const log = new CapturingLogger();
    const a = await nodes.start({ logger: log });
    const b = await nodes.start();
    const inbox = probe<string>(b, "inbox");
    remoteRef(a, inbox.ref).tell("hello");
    await waitFor(() => inbox.received.length === 1, 5000, "the message");
    await sleep(50); // its acknowledgement is back
    await nodes.stop(b);
    await waitFor(() => log.matching(/connection to .* lost: the peer closed the stream/, "info").length === 1, 5000, "the info line");
    expect(log.matching(/lost|dead letters/, "warn")).toEqual([]);
  });
});
