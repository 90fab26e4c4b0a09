// An ask's reply ref travels to the peer as its bare path, and the peer reads a bare path in a batch
// as a ref on the node that sent it: the URI is neither written nor parsed per ask.
import type * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectRequest } from "../../gen/casty/v1/remote.js";
import { Behaviors, RemoteActorRef, type ActorRef, type RemoteActorSystem } from "../../src/index.js";
import { OutboundBatch } from "../../src/remote/outbound-batch.js";
import { Serialization } from "../../src/serialization/index.js";
import { echo, remoteRef, TestNodes, type EchoMsg } from "./fixtures/nodes.js";

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

/** Every frame `system` writes on the streams it dials from now on. */
function framesWrittenBy(system: RemoteActorSystem): Buffer[] {
  const frames: Buffer[] = [];
  const remoting = system.remoting;
  const client = remoting.client.bind(remoting);
  remoting.client = (peerKey: string): grpc.Client => {
    const dialer = client(peerKey);
    const open = dialer.makeBidiStreamRequest.bind(dialer) as (...args: unknown[]) => grpc.ClientDuplexStream<Buffer, Buffer>;
    dialer.makeBidiStreamRequest = (...args: unknown[]) => {
      const call = open(...args);
      const write = call.write.bind(call) as (frame: Buffer, ...rest: unknown[]) => boolean;
      call.write = ((frame: Buffer, ...rest: unknown[]) => (frames.push(Buffer.from(frame)), write(frame, ...rest))) as typeof call.write;
      return call;
    };
    return dialer;
  };
  return frames;
}

describe("ask refs between nodes", () => {
  it("replies name their ask in the envelope: one-off paths stay out of the stream's string table", () => {
    const serialization = new Serialization({ addressOf: (ref) => ref.address, resolve: () => undefined as never });
    const batch = new OutboundBatch(serialization, 1024 * 1024);
    const recipient = { address: "casty://test@127.0.0.1:1/temp/$a" } as never;
    batch.append("/temp/$a", 1, recipient);
    batch.append("/temp/$b", 2, recipient);
    batch.append("/user/x", 3, recipient);
    const { frame } = ConnectRequest.decode(batch.seal().frame);
    if (frame?.$case !== "batch") throw new Error("not a batch frame");
    expect(frame.value.strings).toEqual(["casty.v1.Value", "/user/x"]);
    expect(frame.value.envelopes.map((e) => e.targetPath)).toEqual(["/temp/$a", "/temp/$b", undefined]);
    expect(frame.value.envelopes[2].targetIndex).toBe(1);
  });

  it("go as their bare path and come back to the asking node", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const frames = framesWrittenBy(a);
    const seen: string[] = [];
    const echoing = b.spawn(
      Behaviors.receive<EchoMsg>((_ctx, msg) => {
        seen.push(msg.replyTo.address);
        msg.replyTo.tell(msg.value);
        return Behaviors.same();
      }),
      "echo",
    );
    const target = remoteRef<EchoMsg>(a, echoing);
    for (let i = 0; i < 5; i++) expect(await a.ask<EchoMsg, number>(target, (replyTo) => ({ kind: "echo", value: i, replyTo }), { timeout: 3000 })).toBe(i);
    const written = Buffer.concat(frames).toString("latin1");
    expect(written).toContain("/temp/$");
    expect(written).not.toContain(a.addressPrefix); // no URI of the asking node on the wire
    expect(seen).toHaveLength(5);
    for (const address of seen) expect(address.startsWith(`${a.addressPrefix}/temp/$`)).toBe(true);
  });

  it("keep their node when the request is forwarded to a third node, which answers the asker", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const c = await nodes.start();
    const onC = remoteRef<EchoMsg>(b, c.spawn(echo, "echo"));
    const forwarder = b.spawn(
      Behaviors.receive<EchoMsg>((_ctx, msg) => {
        onC.tell(msg);
        return Behaviors.same();
      }),
      "forwarder",
    );
    const target = remoteRef<EchoMsg>(a, forwarder);
    for (let i = 0; i < 5; i++) expect(await a.ask<EchoMsg, number>(target, (replyTo) => ({ kind: "echo", value: i, replyTo }), { timeout: 3000 })).toBe(i);
    expect(c.remoting.endpoints.endpointAt(a.addressPrefix)).toBeDefined(); // c answered a itself
  });

  it("of another system in the same process keep their full URI", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const c = await nodes.start();
    const received: ActorRef<unknown>[] = [];
    const sink = remoteRef<{ ref: ActorRef<unknown> }>(
      a,
      b.spawn(
        Behaviors.receive<{ ref: ActorRef<unknown> }>((_ctx, msg) => {
          received.push(msg.ref);
          msg.ref.tell("hello");
          return Behaviors.same();
        }),
        "sink",
      ),
    );
    // an ask of c, sent by a: a must not write it as a path of its own
    const asked = c.ask<{ ref: ActorRef<unknown> }, string>(sink, (replyTo) => {
      const ref = replyTo as ActorRef<unknown>;
      return { ref };
    });
    await expect(asked).resolves.toBe("hello");
    expect(received[0]).toBeInstanceOf(RemoteActorRef);
    expect(received[0].address.startsWith(`${c.addressPrefix}/temp/$`)).toBe(true);
  });
});
