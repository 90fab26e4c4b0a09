// One structure entity on a plain ActorSystem: the pure structures behind the sharded types.
import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, AskTimeoutError, type ActorRef } from "../../src/index.js";
import { counterStructure } from "../../src/distributed/counter.js";
import { queueStructure } from "../../src/distributed/queue.js";
import { structureEntity, type Command } from "../../src/distributed/structure.js";

let system: ActorSystem;
afterEach(async () => {
  await system.shutdown();
});

function call(ref: ActorRef<Command>, op: string, arg?: unknown, timeout = 2000): Promise<unknown> {
  return system.ask(ref, (replyTo: ActorRef<unknown>) => ({ op, arg, replyTo }), { timeout });
}

describe("a structure entity", () => {
  it("ignores an operation it does not have and keeps its state", async () => {
    system = new ActorSystem({ name: "entity", logLevel: "error" });
    const counter = system.spawn(structureEntity(counterStructure, "c", undefined), "counter");
    expect(await call(counter, "add", 5)).toBe(5);
    await expect(call(counter, "bogus", undefined, 100)).rejects.toBeInstanceOf(AskTimeoutError);
    expect(await call(counter, "get")).toBe(5);
  });

  it("queue: FIFO across the switch from the back list to the front array", async () => {
    system = new ActorSystem({ name: "entity", logLevel: "error" });
    const queue = system.spawn(structureEntity(queueStructure, "q", undefined), "queue");
    const item = (n: number) => ({ manifest: "test", bytes: new Uint8Array([n]) });
    for (const n of [1, 2, 3]) await call(queue, "enqueue", item(n));
    expect(await call(queue, "dequeue")).toEqual(item(1));
    for (const n of [4, 5]) await call(queue, "enqueue", item(n));
    expect(await call(queue, "peek")).toEqual(item(2));
    const rest = [];
    for (let i = 0; i < 4; i++) rest.push(await call(queue, "dequeue"));
    expect(rest).toEqual([2, 3, 4, 5].map(item));
    expect(await call(queue, "dequeue")).toBeUndefined();
    expect(await call(queue, "size")).toBe(0);
  });
});
