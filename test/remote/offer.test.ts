// `offer` resolves false whenever the message became a dead letter instead of being sent.
import { afterEach, describe, expect, it } from "vitest";
import { deadLetters, echo, probe, remoteRef, TestNodes, type EchoMsg } from "./fixtures/nodes.js";

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

describe("remote offer", () => {
  it("resolves true when queued, false when the peer is blocked", async () => {
    const [a, b] = [await nodes.start(), await nodes.start()];
    const target = remoteRef(a, b.spawn(echo, "echo"));
    const sink = probe(a, "sink").ref;
    expect(await target.offer({ kind: "echo", value: 1, replyTo: sink })).toBe(true);
    const letters = deadLetters(a);
    a.blockPeer(b.selfAddress);
    expect(await target.offer({ kind: "echo", value: 2, replyTo: sink })).toBe(false);
    expect(letters.some((l) => l.reason.includes("blocked"))).toBe(true);
  });

  it("resolves false for a ref to no actor of this node", async () => {
    const a = await nodes.start();
    const missing = a.refFor<EchoMsg>(`${a.spawn(echo, "echo").address}-gone`);
    expect(await missing.offer({ kind: "echo", value: 3, replyTo: probe(a, "sink").ref })).toBe(false);
  });
});
