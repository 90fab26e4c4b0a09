// Keyed wrappers (Serialization.registerKeyed): the key rides in the stream's key table (sent once per
// stream) and the forward count in the envelope; only the inner message is a payload, and the receiver
// wraps it again.
import { afterEach, describe, expect, it } from "vitest";
import { ConnectRequest } from "../../gen/casty/v1/remote.js";
import { RemoteActorRef, type RemoteActorSystem } from "../../src/index.js";
import { keyTablePreamble, OutboundBatch } from "../../src/remote/outbound-batch.js";
import { MalformedFrameError, readFrame, type InboundHost } from "../../src/remote/inbound-batch.js";
import { InboundTable } from "../../src/remote/inbound-table.js";
import { MAX_STREAM_KEYS } from "../../src/remote/key-table.js";
import { Serialization, SerializationError, type KeyedCodec, type RefCodec } from "../../src/serialization/index.js";
import { waitFor } from "../support/wait.js";
import { deadLetters, isAssociated, probe, remoteRef, TestNodes } from "./fixtures/nodes.js";

class ForKey {
  constructor(
    readonly key: string,
    readonly message: unknown,
    readonly hops = 0,
  ) {
    if (key === "") throw new TypeError("empty key");
  }
}

const codec: KeyedCodec<ForKey> = {
  key: (w) => w.key,
  message: (w) => w.message,
  hops: (w) => w.hops,
  wrap: (key, message, hops) => new ForKey(key, message, hops),
};

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

async function keyedPair(): Promise<[RemoteActorSystem, RemoteActorSystem]> {
  const [a, b] = [await nodes.start(), await nodes.start()];
  for (const system of [a, b]) system.serialization.registerKeyed([ForKey], codec);
  return [a, b];
}

describe("keyed wrappers between nodes", () => {
  it("arrive as the wrapper, with key, message and forward count, in order among plain messages", async () => {
    const [a, b] = await keyedPair();
    const inbox = probe(b, "inbox");
    const ref = remoteRef(a, inbox.ref);
    ref.tell(new ForKey("alice", { kind: "deposit", amount: 1 }));
    ref.tell({ kind: "plain" });
    ref.tell(new ForKey("bob", [1, 2], 3));
    ref.tell(new ForKey("alice", "again", 1));
    await waitFor(() => inbox.received.length === 4, 5000, "four messages");
    expect(inbox.received).toEqual([
      new ForKey("alice", { kind: "deposit", amount: 1 }, 0),
      { kind: "plain" },
      new ForKey("bob", [1, 2], 3),
      new ForKey("alice", "again", 1),
    ]);
    expect(inbox.received[0]).toBeInstanceOf(ForKey);
  });

  it("ride a return link too: the dialer keeps a key table for the batches coming back on its stream", async () => {
    const [a, b] = await keyedPair();
    const inboxA = probe(a, "inbox");
    const inboxB = probe(b, "inbox");
    remoteRef(a, inboxB.ref).tell({ kind: "hello" }); // a dials b: b has a's stream to answer on
    await waitFor(() => inboxB.received.length === 1, 5000, "a's hello on b");
    const back = remoteRef(b, inboxA.ref);
    for (let i = 0; i < 3; i++) back.tell(new ForKey(`entity-${i % 2}`, i));
    await waitFor(() => inboxA.received.length === 3, 5000, "three keyed messages on a");
    expect(inboxA.received).toEqual([new ForKey("entity-0", 0), new ForKey("entity-1", 1), new ForKey("entity-0", 2)]);
    expect(b.remoting.endpoints.counts.clients).toBe(0); // they came back on a's stream
  });

  it("after the dialer's stream is cut, keys defined on it are defined again on the next stream", async () => {
    const [a, b] = await keyedPair();
    const inboxA = probe(a, "inbox");
    const inboxB = probe(b, "inbox");
    remoteRef(a, inboxB.ref).tell({ kind: "hello" });
    await waitFor(() => inboxB.received.length === 1, 5000, "a's hello on b");
    const back = remoteRef(b, inboxA.ref);
    back.tell(new ForKey("alice", 1));
    await waitFor(() => inboxA.received.length === 1, 5000, "the first keyed message on a");
    a.remoting.endpoints.remove(b.selfAddress, "test: stream cut"); // b's return link closes
    remoteRef(a, inboxB.ref).tell({ kind: "hello again" }); // a dials b again
    await waitFor(() => inboxB.received.length === 2, 5000, "a's second hello on b");
    back.tell(new ForKey("alice", 2)); // "alice" is in b's key table already: the new stream must learn it
    await waitFor(() => inboxA.received.length === 2, 5000, "the second keyed message on a");
    expect(inboxA.received).toEqual([new ForKey("alice", 1), new ForKey("alice", 2)]);
  });

  it("forward(wrapper, hops) sends the wrapper with that count, leaving the wrapper as it was", async () => {
    const [a, b] = await keyedPair();
    const inbox = probe<ForKey>(b, "inbox");
    const ref = remoteRef(a, inbox.ref);
    if (!(ref instanceof RemoteActorRef)) throw new Error("not a remote ref");
    const wrapper = new ForKey("carol", 7);
    ref.forward(wrapper, 4);
    await waitFor(() => inbox.received.length === 1, 5000, "the forwarded wrapper");
    expect(inbox.received[0]).toEqual(new ForKey("carol", 7, 4));
    expect(wrapper.hops).toBe(0);
  });

  it("a key the receiver's wrapper refuses is a dead letter there; the stream goes on", async () => {
    const [a, b] = await keyedPair();
    const inbox = probe(b, "inbox");
    const letters = deadLetters(b);
    const ref = remoteRef(a, inbox.ref);
    // a wrapper that another encoder built with an empty key (this one's constructor would refuse it)
    ref.tell(Object.assign(Object.create(ForKey.prototype) as ForKey, { key: "", message: "x", hops: 0 }));
    ref.tell("after");
    await waitFor(() => inbox.received.length === 1 && letters.length === 1, 5000, "the next message and one dead letter");
    expect(inbox.received).toEqual(["after"]);
    expect(letters[0].reason).toMatch(/empty key/);
  });

  it("keys sent before a reconnect are defined again on the new stream for what was queued meanwhile", async () => {
    const a = await nodes.start({ minBackoff: 20, maxBackoff: 100, undeliveredTimeout: 10_000 });
    a.serialization.registerKeyed([ForKey], codec);
    let b = await nodes.start();
    b.serialization.registerKeyed([ForKey], codec);
    const port = b.port;
    const ref = a.refFor<ForKey>(`casty://test@127.0.0.1:${port}/user/inbox`);
    let inbox = probe<ForKey>(b, "inbox");
    ref.tell(new ForKey("alice", 1));
    ref.tell(new ForKey("bob", 2));
    await waitFor(() => inbox.received.length === 2, 5000, "the first two messages");

    await nodes.stop(b);
    await waitFor(() => !isAssociated(ref), 5000, "A noticing the lost connection");
    const letters = deadLetters(a);
    ref.tell(new ForKey("bob", 3)); // bob and alice are in A's table already: only their indexes go
    ref.tell(new ForKey("alice", 4));
    ref.tell(new ForKey("carol", 5));
    b = await nodes.start({ port });
    b.serialization.registerKeyed([ForKey], codec);
    inbox = probe<ForKey>(b, "inbox");
    const bLetters = deadLetters(b);
    await waitFor(() => inbox.received.length === 3, 10_000, "the queued messages on the new B");
    expect(inbox.received).toEqual([new ForKey("bob", 3), new ForKey("alice", 4), new ForKey("carol", 5)]);
    expect(letters).toHaveLength(0);
    expect(bLetters).toHaveLength(0);
  });

  it("on the wire: a key once per stream, its index in the envelope, a new table once the table is full", () => {
    const batch = new OutboundBatch(keyedSerialization(), 1024 * 1024, 5);
    const recipient = { address: "casty://test@127.0.0.1:1/user/x" } as never;
    batch.append("/user/x", new ForKey("alice", 1), recipient);
    batch.append("/user/x", new ForKey("bob", 2), recipient);
    const first = batch.seal();
    batch.append("/user/x", new ForKey("bob", 3), recipient);
    batch.append("/user/x", new ForKey("carol", 4), recipient);
    batch.append("/user/x", new ForKey("alice", 5), recipient);
    expect(batch.keysFull).toBe(true);
    const second = batch.seal();
    batch.append("/user/x", new ForKey("bob", 6), recipient);
    const third = batch.seal();
    const wire = [first, second, third].map((sealed) => {
      const { frame } = ConnectRequest.decode(sealed.frame);
      if (frame?.$case !== "batch") throw new Error("not a batch frame");
      return { strings: frame.value.strings, reset: frame.value.resetStrings, indexes: frame.value.envelopes.map((e) => e.keyIndex) };
    });
    // the stream's string table holds the recipient's path and the manifest too
    expect(wire).toEqual([
      { strings: ["/user/x", "alice", "casty.v1.Value", "bob"], reset: false, indexes: [1, 3] },
      { strings: ["carol"], reset: false, indexes: [3, 4, 1] },
      { strings: ["/user/x", "bob", "casty.v1.Value"], reset: true, indexes: [1] },
    ]);
    expect([first.keysBefore, second.keysBefore, third.keysBefore]).toEqual([0, 4, 0]);

    // a receiver that missed the first batch (a new stream) gets its strings from a preamble
    const { frame } = ConnectRequest.decode(keyTablePreamble(second.keyTable, second.keysBefore).frame);
    expect(frame?.$case === "batch" && [frame.value.resetStrings, frame.value.strings, frame.value.envelopes.length]).toEqual([
      true,
      ["/user/x", "alice", "casty.v1.Value", "bob"],
      0,
    ]);
  });

  it("an envelope that cannot be encoded leaves the string table as it was", () => {
    const batch = new OutboundBatch(keyedSerialization(), 1024 * 1024);
    const recipient = { address: "casty://test@127.0.0.1:1/user/x" } as never;
    batch.append("/user/a", "one", recipient);
    expect(() => batch.append("/user/b", () => "a function", recipient)).toThrow(SerializationError);
    batch.append("/user/b", "two", recipient);
    const { frame } = ConnectRequest.decode(batch.seal().frame);
    if (frame?.$case !== "batch") throw new Error("not a batch frame");
    expect(frame.value.strings).toEqual(["/user/a", "casty.v1.Value", "/user/b"]);
    expect(frame.value.envelopes.map((e) => e.targetIndex)).toEqual([0, 2]);
  });

  it("a stream whose key table grows beyond the limit is refused", () => {
    const host = { serialization: keyedSerialization(), log: console } as unknown as InboundHost;
    const keys = Array.from({ length: MAX_STREAM_KEYS }, (_, i) => `k${i}`);
    const batchOf = (strings: string[], resetStrings: boolean) =>
      ConnectRequest.encode({ frame: { $case: "batch", value: { envelopes: [], strings, resetStrings } } }).finish();
    const table = new InboundTable();
    readFrame(batchOf(keys, false), host, true, table);
    expect(table.keys).toHaveLength(MAX_STREAM_KEYS);
    expect(() => readFrame(batchOf(["one more"], false), host, true, table)).toThrow(MalformedFrameError);
    readFrame(batchOf(["fresh"], true), host, true, table); // a reset starts over
    expect(table.keys).toEqual(["fresh"]);
  });

  it("on the wire: the key in the batch table, the count in the envelope, the message alone as payload", () => {
    const a = keyedSerialization();
    const batch = new OutboundBatch(a, 1024 * 1024);
    const recipient = { address: "casty://test@127.0.0.1:1/user/x" } as never;
    batch.append("/user/x", new ForKey("alice", "hi", 2), recipient);
    batch.append("/user/x", new ForKey("alice", "ho"), recipient);
    batch.append("/user/x", new ForKey("bob", "hu"), recipient);
    const { frame } = ConnectRequest.decode(batch.seal().frame);
    if (frame?.$case !== "batch") throw new Error("not a batch frame");
    const decoded = frame.value;
    expect(decoded.strings).toEqual(["/user/x", "alice", "casty.v1.Value", "bob"]);
    expect(decoded.envelopes.map((e) => [e.keyIndex, e.hops])).toEqual([
      [1, 2],
      [1, 0],
      [3, 0],
    ]);
    expect(decoded.envelopes.map((e) => a.deserialize(decoded.strings[e.typeIndex], e.payload))).toEqual(["hi", "ho", "hu"]);
  });

  it("on the wire: key indexes, hop counts and targets past one varint byte", () => {
    const batch = new OutboundBatch(keyedSerialization(), 1024 * 1024);
    const recipient = { address: "casty://test@127.0.0.1:1/user/x" } as never;
    for (let i = 0; i < 300; i++) batch.append(`/user/x${i}`, new ForKey(`k${i}`, i, i * 100), recipient);
    const { frame } = ConnectRequest.decode(batch.seal().frame);
    if (frame?.$case !== "batch") throw new Error("not a batch frame");
    const { envelopes, strings } = frame.value;
    expect(envelopes.map((e) => [strings[e.keyIndex ?? -1], e.hops, strings[e.targetIndex]])).toEqual(
      Array.from({ length: 300 }, (_, i) => [`k${i}`, i * 100, `/user/x${i}`]),
    );
  });
});

/** A serialization with the codec, as a node has it (these messages hold no refs). */
function keyedSerialization(): Serialization {
  const refs: RefCodec = {
    addressOf: () => "",
    resolve: () => {
      throw new Error("no refs here");
    },
  };
  const serialization = new Serialization(refs);
  serialization.registerKeyed([ForKey], codec);
  return serialization;
}
