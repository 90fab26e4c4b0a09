// What goes wrong on the wire: unknown manifests, malformed frames from a raw client, a wrong system
// name, oversize messages and messages that cannot be serialized.
import * as grpc from "@grpc/grpc-js";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { NodeAddress } from "../../gen/casty/v1/address.js";
import { ConnectRequest } from "../../gen/casty/v1/remote.js";
import { AskDeliveryError, SerializationError, type ActorRef, type UndecodablePayload } from "../../src/index.js";
import { sleep, waitFor } from "../support/wait.js";
import { CapturingLogger, deadLetters, echo, probe, remoteRef, TestNodes, type EchoMsg } from "./fixtures/nodes.js";
import { batchFrame, handshakeFrame, rawConnect } from "./fixtures/raw-client.js";

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

/** A ts-proto message object as the application would build it, tagged with its type name. */
const nodeAddressMessage = { $type: "casty.v1.NodeAddress", system: "sys", host: "10.0.0.9", port: 4242, uid: 7n };

describe("unknown manifest", () => {
  it("becomes a dead letter and a log line on the receiver; the connection stays up", async () => {
    const a = await nodes.start();
    a.serialization.registerProtobuf("casty.v1.NodeAddress", NodeAddress);
    const log = new CapturingLogger();
    const b = await nodes.start({ logger: log });
    const letters = deadLetters(b);
    const inbox = probe(b, "inbox");
    const ref = remoteRef(a, inbox.ref);
    ref.tell(nodeAddressMessage);
    ref.tell("after");
    await waitFor(() => inbox.received.length === 1, 5000, "the normal message after the unknown one");
    expect(inbox.received).toEqual(["after"]);
    expect(letters).toHaveLength(1);
    const payload = letters[0].message as UndecodablePayload;
    expect(payload.manifest).toBe("casty.v1.NodeAddress");
    expect(NodeAddress.decode(payload.bytes)).toEqual({ system: "sys", host: "10.0.0.9", port: 4242, uid: 7n });
    expect(letters[0].recipient?.path).toBe("/user/inbox");
    expect(letters[0].reason).toContain("unknown manifest casty.v1.NodeAddress");
    expect(log.matching(/\/user\/inbox: unknown manifest casty\.v1\.NodeAddress/, "warn")).toHaveLength(1);
    // Still the same association: nothing broke.
    expect(log.matching(/closing the stream|lost/, "warn")).toHaveLength(0);
  });

  it("names the unregistered class when a class instance nested in plain data is unknown to the receiver", async () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    const a = await nodes.start();
    a.serialization.registerClass(Money, "test.Money");
    const log = new CapturingLogger();
    const b = await nodes.start({ logger: log });
    const letters = deadLetters(b);
    const inbox = probe(b, "inbox");
    const ref = remoteRef(a, inbox.ref);
    ref.tell({ kind: "pay", amount: new Money(250) });
    ref.tell("after");
    await waitFor(() => inbox.received.length === 1, 5000, "the normal message after the unknown one");
    expect(letters).toHaveLength(1);
    expect(letters[0].reason).toContain("test.Money");
    expect(log.matching(/\/user\/inbox: .*test\.Money/, "warn")).toHaveLength(1);
  });

  it("is decoded into the registered type when the receiver knows it", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    for (const node of [a, b]) node.serialization.registerProtobuf("casty.v1.NodeAddress", NodeAddress);
    const inbox = probe(b, "inbox");
    remoteRef(a, inbox.ref).tell(nodeAddressMessage);
    await waitFor(() => inbox.received.length === 1, 5000, "the protobuf message");
    expect(inbox.received[0]).toEqual(nodeAddressMessage);
  });
});

describe("malformed frames from a raw grpc-js client", () => {
  async function victim() {
    const log = new CapturingLogger();
    const b = await nodes.start({ logger: log });
    const inbox = probe<string>(b, "inbox");
    const letters = deadLetters(b);
    const peer = await nodes.start(); // a well-behaved node whose traffic must keep flowing
    const fromPeer = remoteRef(peer, inbox.ref);
    fromPeer.tell("before");
    await waitFor(() => inbox.received.includes("before"), 5000, "normal traffic before the attack");
    return { b, log, inbox, letters, peer, fromPeer };
  }

  async function stillServes(inbox: { received: string[] }, fromPeer: ActorRef<string>, label: string): Promise<void> {
    fromPeer.tell(label);
    await waitFor(() => inbox.received.includes(label), 5000, `normal traffic after: ${label}`);
  }

  it("random bytes: the call fails with INVALID_ARGUMENT, the node goes on", async () => {
    const { b, log, inbox, fromPeer } = await victim();
    for (let i = 0; i < 5; i++) {
      const result = await rawConnect(b.port, [randomBytes(64 + i * 100)]);
      expect(result.code).not.toBe(grpc.status.OK);
      expect(result.responses).toHaveLength(0);
    }
    // A frame whose field is valid but whose length runs past the end.
    const truncatedHandshake = handshakeFrame(b, b).subarray(0, 10);
    const result = await rawConnect(b.port, [truncatedHandshake]);
    expect(result.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(result.details).toMatch(/frame announces \d+ bytes/);
    expect(log.matching(/closing the stream from/, "error").length).toBeGreaterThanOrEqual(1);
    await stillServes(inbox, fromPeer, "after random bytes");
  });

  it("stream errors and cancellations are logged, not swallowed", async () => {
    const { b, log } = await victim();
    await rawConnect(b.port, [batchFrame(b, "/user/inbox", ["early"])]);
    await waitFor(
      () => log.matching(/remoting stream from .* ended: a batch arrived before the handshake/, "debug").length === 1,
      2000,
      "the stream error line",
    );
    const client = new grpc.Client(`127.0.0.1:${b.port}`, grpc.credentials.createInsecure());
    const call = client.makeBidiStreamRequest(
      "/casty.v1.RemotingService/Connect",
      (x: Buffer) => x,
      (x: Buffer) => x,
    );
    call.on("error", () => undefined);
    call.write(Buffer.from(handshakeFrame(b, b)));
    await new Promise((resolve) => call.once("data", resolve));
    call.cancel();
    await waitFor(() => log.matching(/remoting stream from .* was cancelled by the peer/, "debug").length === 1, 2000, "the cancellation line");
    client.close();
  });

  it("a batch before the handshake is refused and not delivered", async () => {
    const { b, log, inbox, letters, fromPeer } = await victim();
    const result = await rawConnect(b.port, [batchFrame(b, "/user/inbox", ["smuggled"])]);
    expect(result.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(result.details).toContain("before the handshake");
    expect(log.matching(/refusing a batch before the handshake/, "error")).toHaveLength(1);
    await stillServes(inbox, fromPeer, "after early batch");
    expect(inbox.received).not.toContain("smuggled");
    expect(letters).toHaveLength(0);
  });

  it("a handshake with a wrong system name or protocol version is answered with a refusal", async () => {
    const { b, log, inbox, fromPeer } = await victim();
    const wrongSystem = await rawConnect(b.port, [handshakeFrame(b, b, { system: "intruder" }), batchFrame(b, "/user/inbox", ["smuggled"])]);
    expect(wrongSystem.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(wrongSystem.details).toBe(`system name "intruder" does not match this node's "test"`);
    expect(wrongSystem.responses).toHaveLength(1);
    const ack = wrongSystem.responses[0].frame;
    expect(ack?.$case === "handshakeAck" && ack.value.accepted).toBe(false);

    const wrongVersion = await rawConnect(b.port, [handshakeFrame(b, b, { protocolVersion: 99 })]);
    expect(wrongVersion.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(wrongVersion.details).toContain("protocol version 99 is not supported");
    expect(log.matching(/refused connection from .*: system name "intruder"/, "error")).toHaveLength(1);
    await stillServes(inbox, fromPeer, "after wrong handshakes");
    expect(inbox.received).not.toContain("smuggled");
  });

  it("a valid handshake then a truncated batch: the call fails, nothing after it is delivered", async () => {
    const { b, inbox, fromPeer } = await victim();
    const batch = batchFrame(b, "/user/inbox", ["whole"]);
    const result = await rawConnect(b.port, [
      handshakeFrame(b, b),
      batch,
      batch.subarray(0, batch.length - 3),
      batchFrame(b, "/user/inbox", ["after the bad frame"]),
    ]);
    expect(result.code).toBe(grpc.status.INVALID_ARGUMENT);
    const ack = result.responses[0]?.frame;
    expect(ack?.$case === "handshakeAck" && ack.value.accepted).toBe(true);
    await stillServes(inbox, fromPeer, "after truncated batch");
    expect(inbox.received).toContain("whole");
    expect(inbox.received).not.toContain("after the bad frame");
  });

  it("a batch with envelopes that point nowhere or carry garbage: dead letters, the stream stays up", async () => {
    const { b, inbox, letters } = await victim();
    const good = batchFrame(b, "/user/inbox", ["good"]);
    // Hand-built batch: envelope 1 points at target #5 (no such entry), envelope 2 has a garbage Value payload.
    const bad = ConnectRequest.encode({
      frame: {
        $case: "batch",
        value: {
          strings: ["/user/inbox", "casty.v1.Value"],
          resetStrings: true,
          envelopes: [
            { targetIndex: 5, typeIndex: 1, payload: Buffer.from([8, 1]), hops: 0 },
            { targetIndex: 0, typeIndex: 1, payload: Buffer.from([0xff, 0xff, 0xff]), hops: 0 },
          ],
        },
      },
    }).finish();
    const call = rawConnect(b.port, [handshakeFrame(b, b), bad, good], 1500);
    await waitFor(() => inbox.received.includes("good"), 5000, "the good batch after the bad envelopes");
    expect(letters.length).toBe(2);
    // The raw stream was not closed by the node; our timeout ends it.
    await expect(call).rejects.toThrow(/did not end the raw call/);
  });
});

describe("wrong system name", () => {
  it("is refused with a clear error on both sides and the message becomes a dead letter on the sender", async () => {
    const logA = new CapturingLogger();
    const logB = new CapturingLogger();
    const a = await nodes.start({ name: "x", logger: logA, undeliveredTimeout: 300, minBackoff: 20, maxBackoff: 100 });
    const b = await nodes.start({ name: "other", logger: logB });
    const echoOnB = b.spawn(echo, "echo");
    const letters = deadLetters(a);
    const wrong = a.refFor<string>(`casty://x@127.0.0.1:${b.port}/user/echo`);
    wrong.tell("hello?");
    await waitFor(() => letters.length === 1, 5000, "the refused message as a dead letter on A");
    expect(letters[0].message).toBe("hello?");
    expect(letters[0].recipient).toBe(wrong);
    expect(letters[0].reason).toContain(`system name "x" does not match this node's "other"`);
    expect(logB.matching(/refused connection from .*system name "x" does not match this node's "other"/, "error")).toHaveLength(1);
    expect(logA.matching(new RegExp(`x@127\\.0\\.0\\.1:${b.port} refused the connection: system name "x" does not match`), "error")).toHaveLength(1);

    // Naming B's system right does not help either: the two systems are not one cluster.
    const named = a.refFor<EchoMsg>(echoOnB.address);
    const error = await a.ask(named, (replyTo: ActorRef<unknown>) => ({ kind: "echo", value: 1, replyTo }), { timeout: 500 }).catch((e: unknown) => e);
    // the refused request is a dead letter, so the ask fails at once rather than at its timeout
    expect(error).toBeInstanceOf(AskDeliveryError);
    expect((error as AskDeliveryError).reason).toContain("does not match");
    await waitFor(() => letters.length === 2, 5000, "the second refused message");
    expect(logA.matching(/other@127\.0\.0\.1:\d+ refused the connection: system name "x" does not match/, "error")).toHaveLength(1);
  });
});

describe("sender-side errors", () => {
  it("an oversize message throws a SerializationError naming the size at tell", async () => {
    const a = await nodes.start({ maxMessageSize: 1024 });
    const b = await nodes.start();
    const inbox = probe<string>(b, "inbox");
    const ref = remoteRef(a, inbox.ref);
    const big = "x".repeat(10 * 1024);
    expect(() => ref.tell(big)).toThrow(SerializationError);
    expect(() => ref.tell(big)).toThrow(/is 102\d\d bytes, above maxMessageSize 1024/);
    await expect(a.ask(ref as ActorRef<unknown>, () => big)).rejects.toThrow(/above maxMessageSize 1024/);
    ref.tell("x".repeat(900));
    ref.tell("small");
    await waitFor(() => inbox.received.length === 2, 5000, "the messages that fit");
    expect(inbox.received.map((m) => m.length)).toEqual([900, 5]);
  });

  it("a message with a function inside throws a SerializationError naming the field path; the connection stays usable", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const inbox = probe(b, "inbox");
    const ref = remoteRef(a, inbox.ref);
    ref.tell({ kind: "first" });
    await waitFor(() => inbox.received.length === 1, 5000, "the first message");
    const bad = { kind: "bad", order: { lines: [{ sku: "a" }, { sku: "b", onShip: () => undefined }] } };
    expect(() => ref.tell(bad)).toThrow(SerializationError);
    expect(() => ref.tell(bad)).toThrow(/value at \.order\.lines\[1\]\.onShip/);
    // Same turn as the failed tell: the batch it was rolled back from still goes out whole.
    ref.tell({ kind: "second" });
    try {
      ref.tell(bad);
    } catch {
      // expected
    }
    ref.tell({ kind: "third" });
    await waitFor(() => inbox.received.length === 3, 5000, "the messages after the failure");
    expect(inbox.received).toEqual([{ kind: "first" }, { kind: "second" }, { kind: "third" }]);
    await sleep(50);
    expect(inbox.received).toHaveLength(3);
  });
});

describe("a silent client", () => {
  it("is cut off when it sends no handshake in time", async () => {
    const b = await nodes.start();
    const started = Date.now();
    const result = await rawConnect(b.port, [], 8000);
    expect(result.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4500);
  }, 10_000);
});
