// HTTP/2 flow control: a peer that stops reading makes the sender's bounded queue fill, never its memory.
import { afterEach, describe, expect, it } from "vitest";
import { sleep, waitFor } from "../support/wait.js";
import { deadLetters, isAssociated, TestNodes } from "./fixtures/nodes.js";
import { startStalledPeer, type StalledPeer } from "./fixtures/stalled-peer.js";

const nodes = new TestNodes();
let peer: StalledPeer | undefined;
afterEach(async () => {
  await nodes.shutdownAll();
  await peer?.close();
  peer = undefined;
});

describe("flow control", () => {
  it("stops writing to a peer that does not read; the outbound queue fills and overflow becomes dead letters", async () => {
    peer = await startStalledPeer("test");
    const a = await nodes.start({ outboundQueueSize: 1_000 });
    const letters = deadLetters(a);
    const ref = a.refFor<string>(`casty://test@127.0.0.1:${peer.port}/user/sink`);
    ref.tell("first");
    await waitFor(() => isAssociated(ref), 5000, "the handshake with the stalled peer");
    const payload = "x".repeat(1024);
    const total = 100_000; // ~100 MB if nothing pushed back
    for (let i = 0; i < total; i++) {
      ref.tell(payload);
      if (i % 1_000 === 999) await new Promise((resolve) => setImmediate(resolve));
    }
    await sleep(100);
    expect(peer.framesRead()).toBe(1);
    expect(letters.length).toBeGreaterThan(0);
    expect(letters[0]!.reason).toContain("outbound queue");
    // What left the queue sits in HTTP/2 and socket buffers: bounded by their windows, far below the total.
    const accepted = total + 1 - letters.length;
    expect(accepted).toBeLessThan(total / 4);
  }, 30_000);
});
