// An inbound batch hands each message to an idle local recipient within the delivery (no dispatcher
// turn per recipient); a message sent within a trace still queues, to be processed as a span of it.
import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, Behaviors, type ActorRef } from "../../src/index.js";
import { OutboundBatch } from "../../src/remote/outbound-batch.js";
import { readFrame, type InboundHost } from "../../src/remote/inbound-batch.js";
import { InboundTable } from "../../src/remote/inbound-table.js";
import { Serialization } from "../../src/serialization/index.js";
import { noRefs } from "../support/no-refs.js";
import { waitFor } from "../support/wait.js";

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

function inbound(local: ReadonlyMap<string, ActorRef<unknown>>): InboundHost {
  return {
    serialization: new Serialization(noRefs),
    log: system.log,
    resolveLocal: (path) => local.get(path),
    missingRef: () => {
      throw new Error("every recipient of the test lives here");
    },
    deadLetter: () => undefined,
  };
}

describe("inbound batches", () => {
  it("deliver to idle local actors before the frame is read to its end; traced messages queue", async () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const seen: string[] = [];
    const recorder = (name: string) =>
      Behaviors.receive<string>((_ctx, message) => {
        seen.push(`${name}:${message}`);
        return Behaviors.same();
      });
    const local = new Map<string, ActorRef<unknown>>([
      ["/user/a", system.spawn(recorder("a"), "a")] as const,
      ["/user/b", system.spawn(recorder("b"), "b")] as const,
    ]);
    const batch = new OutboundBatch(new Serialization(noRefs), 1024 * 1024);
    const remote = { address: "casty://t@127.0.0.1:1/user/x" } as never;
    batch.append("/user/a", "1", remote);
    batch.append("/user/b", "2", remote);
    batch.append("/user/a", "3", remote);
    batch.append("/user/b", "traced", remote, -1, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    readFrame(batch.seal().frame, inbound(local), true, new InboundTable());
    expect(seen).toEqual(["a:1", "b:2", "a:3"]);
    await waitFor(() => seen.length === 4, 2000, "the traced message");
    expect(seen[3]).toBe("b:traced");
  });
});
