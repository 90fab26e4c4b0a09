// An ask whose request the endpoint could not deliver reaches `system.deadLetter` with the very
// request object (and so its replyTo), which lets the asking side fail the ask at once.
import { afterEach, describe, expect, it } from "vitest";
import { AskDeliveryError, type ActorRef } from "../../src/index.js";
import { sleep, waitFor } from "../support/wait.js";
import { deadLetters, echo, TestNodes, type EchoMsg } from "./fixtures/nodes.js";

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

describe("asks dead-lettered by the endpoint", () => {
  it("to a peer that is gone: the dead letter carries the original request", async () => {
    const a = await nodes.start({ undeliveredTimeout: 200, minBackoff: 20, maxBackoff: 50 });
    const b = await nodes.start();
    const target = b.spawn(echo, "echo");
    const remote = a.refFor<EchoMsg>(target.address);
    await nodes.stop(b);
    const letters = deadLetters(a);
    let request: EchoMsg | undefined;
    const ask = a.ask(remote, (replyTo: ActorRef<unknown>) => (request = { kind: "echo", value: 1, replyTo }), { timeout: 3000 });
    ask.catch(() => undefined);
    await waitFor(() => letters.some((l) => l.message === request), 3000, "the request as a dead letter");
    const letter = letters.find((l) => l.message === request)!;
    expect(letter.recipient?.address).toBe(target.address);
    expect(letter.reason).toMatch(/unreachable|lost|blocked/);
  });

  it("blocked traffic: the same", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const target = b.spawn(echo, "echo");
    a.blockPeer(b.selfAddress);
    const letters = deadLetters(a);
    let request: EchoMsg | undefined;
    const ask = a.ask(a.refFor<EchoMsg>(target.address), (replyTo: ActorRef<unknown>) => (request = { kind: "echo", value: 1, replyTo }), { timeout: 1000 });
    ask.catch(() => undefined);
    await waitFor(() => letters.some((l) => l.message === request), 3000, "the request as a dead letter");
  });
});

describe("asks dead-lettered on the receiving node", () => {
  it("fail at once with an AskDeliveryError naming the missing actor", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const ghost = a.refFor<EchoMsg>(`${b.addressPrefix}/user/nobody`);
    const ask = a.ask(ghost, (replyTo: ActorRef<unknown>) => ({ kind: "echo", value: 1, replyTo }), { timeout: 30_000 });
    const outcome = await Promise.race([
      ask.then(
        () => "answered",
        (error: unknown) => error,
      ),
      sleep(5000).then(() => "still waiting"),
    ]);
    expect(outcome).toBeInstanceOf(AskDeliveryError);
    expect((outcome as AskDeliveryError).message).toMatch(/no actor at \/user\/nobody/);
  });
});
