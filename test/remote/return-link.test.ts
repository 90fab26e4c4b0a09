// A node that a peer dialed sends back on the peer's stream (return batches) instead of dialing a
// stream of its own: an ask and its reply travel on one stream. Order to that peer holds when the
// stream changes, and what was written but not acknowledged when a stream breaks becomes dead letters.
import { afterEach, describe, expect, it } from "vitest";
import { Behaviors, type ActorRef, type DeadLetter, type RemoteActorSystem } from "../../src/index.js";
import { waitFor } from "../support/wait.js";
import { deadLetters, echo, probe, remoteRef, TestNodes, type EchoMsg } from "./fixtures/nodes.js";

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

type Seq = { readonly seq: number };
type SenderMsg = { readonly kind: "send"; readonly to: ActorRef<Seq>; readonly from: number; readonly count: number };

/** Sends `count` sequence numbers from `from` on to `to`, in one turn; counts the requests it ran. */
function sender(): { behavior: ReturnType<typeof Behaviors.receive<SenderMsg>>; done: { count: number } } {
  const done = { count: 0 };
  const behavior = Behaviors.receive<SenderMsg>((_ctx, msg) => {
    for (let i = 0; i < msg.count; i++) msg.to.tell({ seq: msg.from + i });
    done.count++;
    return Behaviors.same();
  });
  return { behavior, done };
}

/** The dialed clients `system` holds: 0 while it never dialed a peer. */
const clientsOf = (system: RemoteActorSystem): number => system.remoting.endpoints.counts.clients;

const seqOf = (letter: DeadLetter): number | undefined => (letter.message as Partial<Seq> | undefined)?.seq;

describe("return links", () => {
  it("answers an ask on the stream the request came on: the answering node dials nothing", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const target = remoteRef<EchoMsg>(a, b.spawn(echo, "echo"));
    for (let i = 0; i < 20; i++) {
      expect(await a.ask<EchoMsg, number>(target, (replyTo) => ({ kind: "echo", value: i, replyTo }), { timeout: 3000 })).toBe(i);
    }
    expect(clientsOf(a)).toBe(1);
    expect(clientsOf(b)).toBe(0);
    expect(b.remoting.traffic.of(a.selfAddress).batchesSent).toBeGreaterThan(0);
    expect(b.remoting.endpoints.counts.links).toBe(1);
    await nodes.stop(a);
    await waitFor(() => b.remoting.endpoints.counts.links === 0, 5000, "b forgets the stream of a node that left");
  });

  it("keeps the order of everything sent to the dialer, replies and tells alike", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const sink = probe<Seq | number>(a, "sink");
    const target = remoteRef<EchoMsg>(a, b.spawn(echo, "echo"));
    const sending = remoteRef<SenderMsg>(a, b.spawn(sender().behavior, "sender"));
    await a.ask<EchoMsg, number>(target, (replyTo) => ({ kind: "echo", value: 0, replyTo }), { timeout: 3000 }); // a dialed b
    const total = 20_000;
    for (let from = 0; from < total; from += 1000) {
      sending.tell({ kind: "send", to: sink.ref, from, count: 1000 });
      // replies of another actor to the same sink, on the same stream, in their own order
      target.tell({ kind: "echo", value: from, replyTo: sink.ref });
    }
    await waitFor(() => sink.received.length === total + total / 1000, 20_000, "every message on a");
    const seqs = sink.received.filter((m): m is Seq => typeof m === "object").map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(sink.received.filter((m) => typeof m === "number")).toEqual(Array.from({ length: total / 1000 }, (_, i) => i * 1000));
    expect(clientsOf(b)).toBe(0);
  });

  it("when the dialer's stream breaks: unacknowledged return batches become dead letters, later sends go on in order", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const lettersB = deadLetters(b);
    const sink = probe<Seq>(a, "sink");
    const target = remoteRef<EchoMsg>(a, b.spawn(echo, "echo"));
    const { behavior, done } = sender();
    const sending = remoteRef<SenderMsg>(a, b.spawn(behavior, "sender"));
    await a.ask<EchoMsg, number>(target, (replyTo) => ({ kind: "echo", value: 1, replyTo }), { timeout: 5000 });
    let sent = 0;
    for (let i = 0; i < 20; i++) {
      sending.tell({ kind: "send", to: sink.ref, from: sent, count: 500 });
      sent += 500;
    }
    await waitFor(() => sink.received.length > 0, 10_000, "the first return batches on a");
    expect(clientsOf(b)).toBe(0);
    // a forgets b (as when it took b for gone): its stream to b is cancelled while b still writes on it
    a.remoting.endpoints.remove(b.selfAddress, "test: stream cut");
    const sendingAgain = remoteRef<SenderMsg>(a, sending); // a fresh endpoint: a dials b again
    await waitFor(() => done.count === 20, 10_000, "b ran every request sent before the break");
    for (let i = 0; i < 20; i++) {
      sendingAgain.tell({ kind: "send", to: sink.ref, from: sent, count: 500 });
      sent += 500;
    }
    const lost = () => new Set(lettersB.map(seqOf).filter((seq) => seq !== undefined));
    const accounted = () => new Set([...sink.received.map((m) => m.seq), ...lost()]).size;
    await waitFor(() => accounted() === sent, 20_000, "every message received or a dead letter on b");
    const seqs = sink.received.map((m) => m.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    const received = new Set(seqs);
    for (let seq = 0; seq < sent; seq++) expect(received.has(seq) || lost().has(seq)).toBe(true);
    expect(seqs.at(-1)).toBe(sent - 1); // what b sent after the break arrived
    for (const letter of lettersB) expect(letter.reason).toContain("lost before it confirmed delivery");
  });
});
