// A region passes a delivery from the network on: an envelope that arrives from another node reaches an
// idle entity within the delivery, while a user's local tell to the region leaves the entity's code
// to the dispatcher (never inside the sender's call).
import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, Behaviors, ShardEnvelope, type ActorRef } from "../../src/index.js";
import { tellFromWire } from "../../src/actor/internal.js";
import { waitFor } from "../support/wait.js";

let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
});

function recorder(seen: string[], name: string) {
  return Behaviors.receive<string>((_ctx, message) => {
    seen.push(`${name}:${message}`);
    return Behaviors.same();
  });
}

/** Entities that record what they handle; `onStart` runs in each one's setup. */
function start(seen: string[], onStart: (id: string) => void = () => undefined): ActorRef<ShardEnvelope<string>> {
  system = new ActorSystem({ name: "inline", logLevel: "error" });
  const entity = (id: string) =>
    Behaviors.setup<string>(() => {
      onStart(id);
      return recorder(seen, id);
    });
  return system.spawn(Behaviors.sharded(entity, { numShards: 10 }), "entities");
}

describe("deliveries from the network through a region", () => {
  it("reach idle entities within the delivery, new or running, in order per entity", () => {
    const seen: string[] = [];
    const region = start(seen);
    tellFromWire(region, new ShardEnvelope("a", "1"));
    tellFromWire(region, new ShardEnvelope("b", "1"));
    tellFromWire(region, new ShardEnvelope("a", "2"));
    expect(seen).toEqual(["a:1", "b:1", "a:2"]);
  });

  it("a user's tell to the region does not run the entity within the tell", async () => {
    const seen: string[] = [];
    const region = start(seen);
    tellFromWire(region, new ShardEnvelope("a", "started"));
    region.tell(new ShardEnvelope("a", "local"));
    tellFromWire(region, new ShardEnvelope("a", "after")); // behind the queued one
    expect(seen).toEqual(["a:started"]);
    await waitFor(() => seen.length === 3, 2000, "the queued messages");
    expect(seen).toEqual(["a:started", "a:local", "a:after"]);
  });

  it("what an entity's setup sends meanwhile is queued: only the routed message goes on within the delivery", async () => {
    const seen: string[] = [];
    const region = start(seen, (id) => observer.tell(`${id} started`));
    const observer = system.spawn(recorder(seen, "observer"), "observer");
    tellFromWire(region, new ShardEnvelope("a", "1"));
    expect(seen).toEqual(["a:1"]);
    await waitFor(() => seen.length === 2, 2000, "the observer's message");
    expect(seen[1]).toBe("observer:a started");
  });
});
