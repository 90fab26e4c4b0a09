// Keyed messages from another node reach a region without their envelope (`receiveKeyedInline`): an
// idle region whose entity runs routes key and message as they came, and remoting remembers the entity
// per key of the stream for the next message; otherwise remoting wraps the message and delivers the
// envelope as before. Replayed through remoting's `readFrame` on one system.
import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, Behaviors, passivate, regionStats, ShardEnvelope, type ActorRef } from "../../src/index.js";
import { routeKeyedFromWire } from "../../src/actor/internal.js";
import { readFrame, type InboundHost } from "../../src/remote/inbound-batch.js";
import { InboundTable } from "../../src/remote/inbound-table.js";
import { OutboundBatch } from "../../src/remote/outbound-batch.js";
import { Serialization } from "../../src/serialization/index.js";
import { RoutedEnvelope, shardEnvelopeCodec } from "../../src/sharding/envelope.js";
import { noRefs } from "../support/no-refs.js";
import { waitFor } from "../support/wait.js";

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

/** A region of entities that record what they handle ("bye" passivates one, "stop" stops it); `starts` counts setups per id. */
function start(seen: string[], starts = new Map<string, number>()): ActorRef<ShardEnvelope<string>> {
  system = new ActorSystem({ name: "keyed", logLevel: "error" });
  const entity = (id: string) =>
    Behaviors.setup<string>((ctx) => {
      starts.set(id, (starts.get(id) ?? 0) + 1);
      return Behaviors.receive<string>((_ctx, message) => {
        seen.push(`${id}:${message}`);
        if (message === "bye") passivate(ctx);
        return message === "stop" ? Behaviors.stopped() : Behaviors.same();
      });
    });
  return system.spawn(Behaviors.sharded(entity, { numShards: 10 }), "entities");
}

/**
 * Sends `[entity id, message]`s as one inbound batch of a stream to the region, as another node's
 * region forwards them; the stream's key table holds `maxKeys` strings (then it starts over).
 */
function wire(region: ActorRef<never>, maxKeys?: number): (sends: [string, string][]) => void {
  const serialization = new Serialization(noRefs);
  serialization.registerKeyed([ShardEnvelope, RoutedEnvelope], shardEnvelopeCodec);
  const host: InboundHost = {
    serialization,
    log: system.log,
    resolveLocal: (path) => (path === region.path ? region : undefined),
    missingRef: () => {
      throw new Error("the region lives here");
    },
    deadLetter: (_message, _recipient, reason) => {
      throw new Error(`dead letter: ${reason}`);
    },
  };
  const batch = new OutboundBatch(serialization, 1 << 20, maxKeys);
  const table = new InboundTable();
  const sender = { address: "casty://other@127.0.0.1:1/user/entities" } as ActorRef<never>;
  return (sends) => {
    for (const [id, message] of sends) batch.append(region.path, new ShardEnvelope(id, message), sender, 1);
    readFrame(batch.seal().frame, host, true, table);
  };
}

describe("keyed messages from the wire to a region", () => {
  it("an idle region routes them to a running entity as they came; one for an entity not running needs its envelope", () => {
    const seen: string[] = [];
    const region = start(seen);
    wire(region)([["a", "1"]]); // starts a (through the envelope)
    expect(routeKeyedFromWire(region, "a", "2", undefined)).toBeDefined();
    expect(routeKeyedFromWire(region, "b", "1", undefined)).toBeUndefined();
    expect(seen).toEqual(["a:1", "a:2"]);
  });

  it("reach new and running entities within the delivery, in order per entity", () => {
    const seen: string[] = [];
    const region = start(seen);
    const send = wire(region);
    send([
      ["a", "1"],
      ["b", "1"],
      ["a", "2"],
    ]);
    send([
      ["b", "2"],
      ["c", "1"],
      ["a", "3"],
    ]);
    expect(seen).toEqual(["a:1", "b:1", "a:2", "b:2", "c:1", "a:3"]);
  });

  it("a region with messages queued routes none at once: they wait behind the queue", async () => {
    const seen: string[] = [];
    const region = start(seen);
    const send = wire(region);
    send([["a", "1"]]);
    (region as ActorRef<unknown>).tell("not an envelope"); // queued for a dispatcher turn (a warning)
    expect(routeKeyedFromWire(region, "a", "early", undefined)).toBeUndefined();
    send([["a", "2"]]);
    expect(seen).toEqual(["a:1"]);
    await waitFor(() => seen.length === 2, 2000, "the queued message");
    expect(seen).toEqual(["a:1", "a:2"]);
  });

  it("an entity queued behind a user's tell keeps its order", async () => {
    const seen: string[] = [];
    const region = start(seen);
    const send = wire(region);
    send([["a", "1"]]);
    region.tell(new ShardEnvelope("a", "local")); // queued in the entity's mailbox
    send([["a", "2"]]);
    await waitFor(() => seen.length === 3, 2000, "three messages");
    expect(seen).toEqual(["a:1", "a:local", "a:2"]);
  });

  it.each([
    ["passivated", "bye"],
    ["stopped by itself", "stop"],
  ])("an entity %s is not routed to by the route remembered for it: the next message starts it again", async (_how, last) => {
    const seen: string[] = [];
    const starts = new Map<string, number>();
    const region = start(seen, starts);
    const send = wire(region);
    send([
      ["a", "1"],
      ["a", "2"], // routed by the region's lookup, which remoting remembers
      ["a", last],
    ]);
    await waitFor(() => regionStats(region)?.entities === 0, 2000, "a to stop");
    expect(routeKeyedFromWire(region, "a", "lost", undefined)).toBeUndefined();
    send([["a", "3"]]);
    expect(starts.get("a")).toBe(2);
    expect(seen).toEqual(["a:1", "a:2", `a:${last}`, "a:3"]);
  });

  it("a new key table on the stream forgets the routes of the old one (the same index, another id)", () => {
    const seen: string[] = [];
    const region = start(seen);
    const send = wire(region, 4); // the region's path, "a", the manifest, "b": full
    send([
      ["a", "1"],
      ["b", "1"],
      ["a", "2"],
      ["b", "2"],
    ]);
    send([
      ["b", "3"], // a new table: "b" now has the index "a" had
      ["a", "3"],
      ["b", "4"],
    ]);
    expect(seen).toEqual(["a:1", "b:1", "a:2", "b:2", "b:3", "a:3", "b:4"]);
  });
});
