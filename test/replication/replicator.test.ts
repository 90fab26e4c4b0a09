// Two or three nodes' replicators of one region wired to each other in memory: acks, fencing, gaps.
import { afterEach, describe, expect, it } from "vitest";
import { Behaviors, InMemoryJournal, ShardFencedError, type ActorRef } from "../../src/index.js";
import { realScheduler } from "../../src/actor/scheduler.js";
import type { UniqueAddress } from "../../src/cluster/member.js";
import { RowCodec, standaloneSerialization } from "../../src/persistence/row-codec.js";
import { RegionReplicator } from "../../src/replication/region-replicator.js";
import { allocationAt, type ShardAllocation } from "../../src/sharding/allocation.js";
import { shardOf } from "../../src/sharding/shard-id.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const codec = new RowCodec(standaloneSerialization());
const NUM_SHARDS = 4;

interface Peer {
  readonly node: UniqueAddress;
  readonly journal: InMemoryJournal;
  readonly replicator: RegionReplicator;
  /** What this node's region believes of each shard. */
  readonly table: Map<number, ShardAllocation>;
}

const started: RegionReplicator[] = [];
afterEach(() => {
  for (const replicator of started.splice(0)) replicator.detach();
});

/** Replicators for `addresses`, frames delivered between them a microtask later. */
function peers(addresses: readonly string[], options = { minAcks: 1, ackTimeout: 2000 }): Peer[] {
  const all: Peer[] = [];
  for (const address of addresses) {
    const node = { address, uid: 1n };
    const journal = new InMemoryJournal();
    const table = new Map<number, ShardAllocation>();
    const replicator = new RegionReplicator(
      {
        ref: undefined as never,
        path: "/user/accounts",
        selfNode: node,
        numShards: NUM_SHARDS,
        options: { replicas: 1, ...options },
        factory: (entityId) => Behaviors.eventSourced({ entityId, journal, initialState: 0, onEvent: (s: number) => s + 1, onCommand: () => Behaviors.same() }),
        log: silent,
        allocation: (shard) => table.get(shard),
      },
      {
        scheduler: realScheduler,
        codec,
        isUp: () => true,
        send: (peer, frame) => {
          const to = all.find((p) => p.node.address === peer)!;
          queueMicrotask(() => to.replicator.received(node, frame));
        },
      },
    );
    all.push({ node, journal, replicator, table });
    started.push(replicator);
  }
  return all;
}

/** Tells every peer's region (and the replicators) the shard's allocation. */
function allocate(all: readonly Peer[], shard: number, allocation: ShardAllocation): void {
  for (const p of all) {
    const previous = p.table.get(shard);
    p.table.set(shard, allocation);
    p.replicator.allocationChanged(shard, allocation, previous);
  }
}

/** What the primary's entity does: write to its journal, then tell the hook (`acked`: what `then` waits for). */
async function persist(p: Peer, entityId: string, events: string[]): Promise<{ acked: Promise<void> | undefined }> {
  const fromSeqNr = await p.journal.highestSeqNr(entityId);
  await p.journal.append(entityId, events, fromSeqNr);
  return { acked: p.replicator.written({ entity: entityRef(entityId), entityId, fromSeqNr, events, tags: undefined, writerUid: "w", timestamp: 0 }) };
}

async function eventsOf(journal: InMemoryJournal, entityId: string): Promise<unknown[]> {
  const events: unknown[] = [];
  for await (const e of journal.replay(entityId, 1)) events.push(e.event);
  return events;
}

/** An entity actor as the region names it (only its path is read). */
const entityRef = (entityId: string) => ({ path: `/user/accounts/${encodeURIComponent(entityId)}` }) as ActorRef<never>;

const id = "acct";
const shard = shardOf(id, NUM_SHARDS);

describe("RegionReplicator", () => {
  it("a persist waits for the replica's ack; the replica's journal holds the events in order", async () => {
    const [a, b] = peers(["a:1", "b:1"]);
    allocate([a, b], shard, allocationAt(a.node, 3n, [b.node]));
    await (
      await persist(a, id, ["e1", "e2"])
    ).acked;
    await (
      await persist(a, id, ["e3"])
    ).acked;
    expect(await eventsOf(b.journal, id)).toEqual(["e1", "e2", "e3"]);
    expect(a.replicator.stats().get(shard)).toEqual({ primary: "a:1", replicas: ["b:1"], lag: 0 });
  });

  it("minAcks 0 does not wait", async () => {
    const [a, b] = peers(["a:1", "b:1"], { minAcks: 0, ackTimeout: 2000 });
    allocate([a, b], shard, allocationAt(a.node, 3n, [b.node]));
    expect((await persist(a, id, ["e1"])).acked).toBeUndefined();
  });

  it("a replica that knows a newer primary refuses: the persist fails with ShardFencedError, and so does the next", async () => {
    const [a, b, c] = peers(["a:1", "b:1", "c:1"]);
    allocate([a], shard, allocationAt(a.node, 3n, [b.node]));
    allocate([b, c], shard, allocationAt(c.node, 5n, [b.node]));
    await expect((await persist(a, id, ["stale"])).acked).rejects.toBeInstanceOf(ShardFencedError);
    await expect((await persist(a, id, ["stale again"])).acked).rejects.toBeInstanceOf(ShardFencedError);
    expect(await eventsOf(b.journal, id)).toEqual([]);
    // a newer allocation that names it the primary again lifts the fence
    allocate([a, b, c], shard, allocationAt(a.node, 6n, [b.node]));
    await (
      await persist(a, id, ["e"])
    ).acked;
  });

  it("a gap (a replica that missed pushes) is filled from the primary's journal before the replica acks", async () => {
    const [a, b] = peers(["a:1", "b:1"]);
    allocate([a], shard, allocationAt(a.node, 3n, []));
    await a.journal.append(id, ["e1", "e2", "e3"], 0); // persisted while it had no replica
    allocate([a, b], shard, allocationAt(a.node, 4n, [b.node]));
    await (
      await persist(a, id, ["e4"])
    ).acked;
    expect(await eventsOf(b.journal, id)).toEqual(["e1", "e2", "e3", "e4"]);
  });

  it("a new primary fills the entity's journal from the former holders before it recovers", async () => {
    const [a, b, c] = peers(["a:1", "b:1", "c:1"]);
    allocate([a, b, c], shard, allocationAt(a.node, 3n, [b.node, c.node]));
    await (
      await persist(a, id, ["e1", "e2"])
    ).acked;
    // c holds e1, e2 (b too); b is promoted without having seen the last push, which only c got
    await b.journal.append("other", ["x"], 0);
    await c.journal.append(id, ["e3"], 2);
    allocate([b, c], shard, allocationAt(b.node, 4n, [c.node]));
    await b.replicator.recovering(entityRef(id));
    expect(await eventsOf(b.journal, id)).toEqual(["e1", "e2", "e3"]);
  });
});
