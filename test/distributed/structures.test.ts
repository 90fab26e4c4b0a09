// Counter, map, set and queue on three nodes in this process: every operation from every node.
import { afterEach, describe, expect, it } from "vitest";
import { SerializationError, type ClusteredActorSystem } from "../../src/index.js";
import { DistributedData } from "../../src/distributed/distributed-data.js";
import { distributed } from "../../src/distributed/distributed.js";
import { Nodes } from "./fixtures/cluster.js";

let nodes: Nodes;
afterEach(async () => {
  await nodes.shutdownAll();
});

async function threeNodes(): Promise<ClusteredActorSystem[]> {
  nodes = new Nodes();
  return nodes.cluster(3);
}

describe("distributed data on three nodes", () => {
  it("counter: increment, decrement and get answer the value after them, from every node", async () => {
    const [a, b, c] = await threeNodes();
    const views = [a, b, c].map((s) => distributed(s).counter("page-views", { shards: 10 }));
    expect(await views[0].increment(5)).toBe(5);
    expect(await views[1].increment()).toBe(6);
    expect(await views[2].decrement(2)).toBe(4);
    expect(await views[1].get()).toBe(4);
    expect(await views[0].get()).toBe(4);
    await views[2].destroy();
    expect(await views[0].get()).toBe(0);
  });

  it("map: put answers the previous value; get, contains, delete (existed?) from every node", async () => {
    const [a, b, c] = await threeNodes();
    const users = [a, b, c].map((s) => distributed(s).map<string, { name: string; age: number }>("users"));
    expect(await users[0].put("alice", { name: "Alice", age: 30 })).toBeUndefined();
    expect(await users[1].put("alice", { name: "Alice", age: 31 })).toEqual({ name: "Alice", age: 30 });
    expect(await users[2].get("alice")).toEqual({ name: "Alice", age: 31 });
    expect(await users[2].get("bob")).toBeUndefined();
    expect(await users[0].contains("alice")).toBe(true);
    expect(await users[0].contains("bob")).toBe(false);
    expect(await users[1].delete("alice")).toBe(true);
    expect(await users[2].delete("alice")).toBe(false);
    expect(await users[0].get("alice")).toBeUndefined();
    const byPoint = distributed(b).map<{ x: number; y: number }, string>("grid");
    expect(await byPoint.put({ x: 1, y: 2 }, "here")).toBeUndefined();
    expect(await distributed(c).map<{ x: number; y: number }, string>("grid").get({ x: 1, y: 2 })).toBe("here");
  });

  it("map: destroy empties every key, whichever node wrote it", async () => {
    const [a, b, c] = await threeNodes();
    const maps = [a, b, c].map((s) => distributed(s).map<string, number>("scores"));
    await Promise.all(Array.from({ length: 30 }, (_, i) => maps[i % 3].put(`k${i}`, i)));
    expect(await maps[2].get("k7")).toBe(7);
    await maps[1].destroy();
    const after = await Promise.all(Array.from({ length: 30 }, (_, i) => maps[(i + 1) % 3].get(`k${i}`)));
    expect(after.every((v) => v === undefined)).toBe(true);
    expect(await maps[0].put("k1", 100)).toBeUndefined();
    expect(await maps[2].get("k1")).toBe(100);
  });

  it("set: add and remove answer whether they changed it; contains, size", async () => {
    const [a, b, c] = await threeNodes();
    const tags = [a, b, c].map((s) => distributed(s).set<string>("active-tags"));
    expect(await tags[0].add("red")).toBe(true);
    expect(await tags[1].add("red")).toBe(false);
    expect(await tags[2].add("blue")).toBe(true);
    expect(await tags[0].size()).toBe(2);
    expect(await tags[1].contains("blue")).toBe(true);
    expect(await tags[1].contains("green")).toBe(false);
    expect(await tags[2].remove("red")).toBe(true);
    expect(await tags[0].remove("red")).toBe(false);
    expect(await tags[1].size()).toBe(1);
    await tags[0].destroy();
    expect(await tags[2].size()).toBe(0);
  });

  it("queue: FIFO from every node; dequeue and peek answer undefined when empty", async () => {
    const [a, b, c] = await threeNodes();
    const jobs = [a, b, c].map((s) => distributed(s).queue<{ job: number }>("work-queue"));
    expect(await jobs[0].dequeue()).toBeUndefined();
    expect(await jobs[1].peek()).toBeUndefined();
    await jobs[0].enqueue({ job: 1 });
    await jobs[1].enqueue({ job: 2 });
    await jobs[2].enqueue({ job: 3 });
    expect(await jobs[2].size()).toBe(3);
    expect(await jobs[1].peek()).toEqual({ job: 1 });
    expect(await jobs[2].dequeue()).toEqual({ job: 1 });
    await jobs[0].enqueue({ job: 4 });
    expect(await jobs[0].dequeue()).toEqual({ job: 2 });
    expect(await jobs[1].dequeue()).toEqual({ job: 3 });
    expect(await jobs[1].dequeue()).toEqual({ job: 4 });
    expect(await jobs[0].dequeue()).toBeUndefined();
    expect(await jobs[2].size()).toBe(0);
    // strings, numbers, booleans and null travel as themselves, other values encoded: all come back as they went in
    const items = distributed(a).queue<unknown>("mixed-queue");
    const values = ["", "text", 0, -1.5, false, true, null, [1, "x"], { job: 5 }];
    for (const value of values) await items.enqueue(value);
    const mixed = distributed(c).queue<unknown>("mixed-queue");
    expect(await mixed.peek()).toBe("");
    const taken = [];
    for (let i = 0; i < values.length; i++) taken.push(await mixed.dequeue());
    expect(taken).toEqual(values);
    expect(await mixed.dequeue()).toBeUndefined();
  });

  it("a structure nobody on a node used yet is still hosted there when its shards land there", async () => {
    const [a, b, c] = await threeNodes();
    for (const system of [b, c]) DistributedData.of(system); // what every node has from its start
    const views = distributed(a).counter("only-on-a", { shards: 30 });
    const ids = await Promise.all(Array.from({ length: 60 }, () => views.increment()));
    expect(Math.max(...ids)).toBe(60);
    expect(await distributed(b).counter("only-on-a", { shards: 30 }).get()).toBe(60);
  });

  it("100 concurrent increments from each of 3 nodes sum exactly; 1,000 items are each dequeued once", async () => {
    const all = await threeNodes();
    const counters = all.map((s) => distributed(s).counter("hits"));
    const answers = await Promise.all(counters.flatMap((counter) => Array.from({ length: 100 }, () => counter.increment())));
    expect(new Set(answers).size).toBe(300); // every increment saw a distinct value
    expect(await counters[1].get()).toBe(300);
    const queues = all.map((s) => distributed(s).queue<string>("items"));
    await Promise.all(Array.from({ length: 1000 }, (_, i) => queues[i % 3].enqueue(`item-${i}`)));
    const taken = await Promise.all(Array.from({ length: 1100 }, (_, i) => queues[(i + 1) % 3].dequeue()));
    const items = taken.filter((t) => t !== undefined);
    expect(items.length).toBe(1000);
    expect(new Set(items).size).toBe(1000);
  });

  it("an unserializable value or key rejects with SerializationError and changes nothing", async () => {
    const [a, b] = await threeNodes();
    const map = distributed(a).map<unknown, unknown>("strict");
    await expect(map.put("k", () => 1)).rejects.toBeInstanceOf(SerializationError);
    await expect(map.put(Symbol("key"), 1)).rejects.toBeInstanceOf(SerializationError);
    expect(await distributed(b).map("strict").contains("k")).toBe(false);
    const set = distributed(b).set<unknown>("strict-set");
    class Unregistered {
      constructor(readonly id = 1) {}
    }
    await expect(set.add(new Unregistered())).rejects.toBeInstanceOf(SerializationError);
    expect(await set.size()).toBe(0);
    const queue = distributed(a).queue<unknown>("strict-queue");
    await expect(queue.enqueue({ when: new WeakMap() })).rejects.toBeInstanceOf(SerializationError);
    expect(await queue.size()).toBe(0);
  });
});
