// Batching per event-loop turn and HTTP/2 flow control, observed from a fake peer.
import { afterEach, describe, expect, it } from "vitest";
import { sleep, waitFor } from "../support/wait.js";
import { batches, startFakePeer, type FakePeer } from "./fixtures/fake-peer.js";
import { deadLetters, isAssociated, TestNodes } from "./fixtures/nodes.js";

const nodes = new TestNodes();
let peer: FakePeer | undefined;
afterEach(async () => {
  await nodes.shutdownAll();
  await peer?.close();
  peer = undefined;
});

describe("batching", () => {
  it("sends the envelopes told in one event-loop turn as one batch, with shared string tables", async () => {
    peer = await startFakePeer({ system: "test" });
    const a = await nodes.start();
    const ref = a.refFor<{ n: number }>(`casty://test@127.0.0.1:${peer.port}/user/sink`);
    const other = a.refFor<string>(`casty://test@127.0.0.1:${peer.port}/user/other`);
    ref.tell({ n: -1 });
    await waitFor(() => isAssociated(ref) && batches(peer!.frames).length === 1, 5000, "the handshake and a first batch");
    for (let i = 0; i < 100; i++) ref.tell({ n: i });
    other.tell("x");
    await waitFor(() => batches(peer!.frames).length === 2, 5000, "the second batch");
    await sleep(50);
    const all = batches(peer.frames);
    expect(all).toHaveLength(2);
    const turn = all[1];
    expect(turn.envelopes).toHaveLength(101);
    // the first batch put the sink's path and the manifest in the stream's string table
    expect(all[0].strings).toEqual(["/user/sink", "casty.v1.Value"]);
    expect(turn.strings).toEqual(["/user/other"]);
    expect(turn.envelopes[100].targetIndex).toBe(2);
  });
});

describe("flow control", () => {
  it("stops writing to a peer that does not read; the outbound queue fills and overflow becomes dead letters", async () => {
    peer = await startFakePeer({ system: "test", stall: true });
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
    expect(peer.frames).toHaveLength(1); // the handshake; then it stopped reading
    expect(letters.length).toBeGreaterThan(0);
    expect(letters[0].reason).toContain("outbound queue");
    // What left the queue sits in HTTP/2 and socket buffers: bounded by their windows, far below the total.
    const accepted = total + 1 - letters.length;
    expect(accepted).toBeLessThan(total / 4);
  }, 30_000);
});
