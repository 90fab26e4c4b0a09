// Two or three nodes' replicators of one region wired to each other in memory: acks, fencing, gaps.
import { afterEach, describe, expect, it } from "vitest";
import { Behaviors, InMemoryJournal, ShardFencedError, type ActorRef } from "../../src/index.js";
import type { ReplicationFrame } from "../../gen/casty/v1/replication.js";
import { realScheduler, type Scheduler } from "../../src/actor/scheduler.js";
import type { UniqueAddress } from "../../src/cluster/member.js";
import { RowCodec, standaloneSerialization } from "../../src/persistence/row-codec.js";
import { RegionReplicator } from "../../src/replication/region-replicator.js";
import { allocationAt, type ShardAllocation } from "../../src/sharding/allocation.js";
import { shardOf } from "../../src/sharding/shard-id.js";
import { ReplicationTimeoutError } from "../../src/replication/errors.js";
import { countingScheduler } from "../support/counting-scheduler.js";
import { waitFor } from "../support/wait.js";

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

/** What the network does to a frame from `from` to `to`: true drops it. */
type Drop = (from: string, to: string, frame: ReplicationFrame) => boolean;

/**
 * Replicators for `addresses`, frames delivered between them a microtask later (unless `drop` drops
 * them); a node is a member while it is not in `gone`.
 */
function peers(
  addresses: readonly string[],
  options = { minAcks: 1, ackTimeout: 2000 },
  drop: Drop = () => false,
  gone = new Set<string>(),
  scheduler: Scheduler = realScheduler,
): Peer[] {
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
        scheduler,
        codec,
        isMember: (peer) => !gone.has(peer),
        send: (peer, frame) => {
          if (drop(address, peer, frame)) return;
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
    p.table.set(shard, allocation);
    p.replicator.allocationChanged(shard, allocation);
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

  it("persists one after another share one ack timer, and a persist without acks still times out", async () => {
    const scheduler = countingScheduler();
    const dropping = { on: false };
    const [a, b] = peers(["a:1", "b:1"], { minAcks: 1, ackTimeout: 300 }, () => dropping.on, new Set(), scheduler);
    allocate([a, b], shard, allocationAt(a.node, 3n, [b.node]));
    const before = scheduler.started;
    for (let i = 0; i < 100; i++) await (await persist(a, id, [`e${i}`])).acked;
    expect(scheduler.started - before).toBe(1); // not one timer per persist
    dropping.on = true;
    const t0 = Date.now();
    await expect((await persist(a, id, ["lost"])).acked).rejects.toBeInstanceOf(ReplicationTimeoutError);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(a.replicator.stats().get(shard)?.lag).toBe(1);
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

  it("a new primary fills from the holders it last heard of when its region forgot the allocation (its primary's node was removed)", async () => {
    const [a, b, c] = peers(["a:1", "b:1", "c:1"]);
    allocate([a, b, c], shard, allocationAt(a.node, 3n, [b.node, c.node]));
    await c.journal.append(id, ["e1"], 0); // acknowledged by c alone
    b.replicator.allocationChanged(shard, allocationAt(b.node, 4n, [])); // no replicas named
    await b.replicator.recovering(entityRef(id));
    expect(await eventsOf(b.journal, id)).toEqual(["e1"]);
  });

  it("a new primary asks a holder whose answer was lost again, and recovers only once it has what that holder holds", async () => {
    let lost = 0;
    const dropFirstAnswers: Drop = (from, _to, frame) => from === "c:1" && frame.frame?.$case === "pulled" && lost++ < 2;
    const [a, b, c] = peers(["a:1", "b:1", "c:1"], undefined, dropFirstAnswers);
    allocate([a, b, c], shard, allocationAt(a.node, 3n, [b.node, c.node]));
    await c.journal.append(id, ["e1", "e2"], 0); // acknowledged by c alone; a is gone
    allocate([b, c], shard, allocationAt(b.node, 4n, [c.node]));
    await b.replicator.recovering(entityRef(id));
    expect(lost).toBe(3);
    expect(await eventsOf(b.journal, id)).toEqual(["e1", "e2"]);
  });

  it("a holder that never answers is waited for while it is a member, and no longer once it left", async () => {
    const gone = new Set<string>();
    const [a, b, c] = peers(["a:1", "b:1", "c:1"], undefined, (from, to) => from === "c:1" || to === "c:1", gone);
    allocate([a, b, c], shard, allocationAt(a.node, 3n, [b.node, c.node]));
    await b.journal.append(id, ["e1"], 0);
    allocate([b, c], shard, allocationAt(b.node, 4n, [c.node]));
    let recovered = false;
    const recovering = b.replicator.recovering(entityRef(id)).then(() => (recovered = true));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(recovered).toBe(false);
    gone.add("c:1");
    await recovering;
    expect(await eventsOf(b.journal, id)).toEqual(["e1"]);
  });
});

describe("RegionReplicator over a primary's retention", () => {
  /** Events e1..e`count` in `journal`, then a snapshot at `snapshotAt` and the events up to it deleted. */
  async function retained(journal: InMemoryJournal, count: number, snapshotAt: number): Promise<void> {
    await journal.append(
      id,
      Array.from({ length: count }, (_, i) => `e${i + 1}`),
      0,
    );
    await journal.saveSnapshot(id, snapshotAt, snapshotAt);
    await journal.deleteEvents(id, snapshotAt);
  }

  async function seqNrsOf(journal: InMemoryJournal): Promise<[number, unknown][]> {
    const events: [number, unknown][] = [];
    for await (const e of journal.replay(id, 1)) events.push([e.seqNr, e.event]);
    return events;
  }

  const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i): [number, string] => [from + i, `e${from + i}`]);

  it("a replica behind the primary's first event gets its snapshot, then the events after it under their own numbers", async () => {
    const [a, b] = peers(["a:1", "b:1"]);
    allocate([a], shard, allocationAt(a.node, 3n, []));
    await retained(a.journal, 600, 20); // more than one frame of events after the snapshot
    await b.journal.append(id, ["e1", "e2", "e3", "e4", "e5"], 0);
    allocate([a, b], shard, allocationAt(a.node, 4n, [b.node]));
    await (
      await persist(a, id, ["e601"])
    ).acked;
    expect(await b.journal.loadSnapshot(id)).toMatchObject({ seqNr: 20, state: 20 });
    expect(await b.journal.highestSeqNr(id)).toBe(601);
    expect(await seqNrsOf(b.journal)).toEqual(numbered(21, 601)); // e1..e5 went with the snapshot
  });

  it("a replica that holds events older than the primary's snapshot, up to one the primary kept, continues with events only", async () => {
    const [a, b] = peers(["a:1", "b:1"]);
    allocate([a], shard, allocationAt(a.node, 3n, []));
    await retained(a.journal, 25, 10); // keeping two snapshots: 10 and 20, the events after 10
    await a.journal.saveSnapshot(id, 20, 20);
    await b.journal.append(
      id,
      numbered(1, 15).map(([, e]) => e),
      0,
    );
    allocate([a, b], shard, allocationAt(a.node, 4n, [b.node]));
    await (
      await persist(a, id, ["e26"])
    ).acked;
    expect(await b.journal.loadSnapshot(id)).toBeUndefined();
    expect(await seqNrsOf(b.journal)).toEqual(numbered(1, 26));
  });

  it("a new primary fills from the holder that reaches furthest, from its snapshot", async () => {
    const [a, b, c] = peers(["a:1", "b:1", "c:1"]);
    allocate([a, b, c], shard, allocationAt(a.node, 3n, [c.node]));
    await retained(a.journal, 25, 20);
    await c.journal.append(
      id,
      numbered(1, 22).map(([, e]) => e),
      0,
    );
    allocate([a, b, c], shard, allocationAt(b.node, 4n, [a.node, c.node]));
    await b.replicator.recovering(entityRef(id));
    expect(await b.journal.loadSnapshot(id)).toMatchObject({ seqNr: 20, state: 20 });
    expect(await seqNrsOf(b.journal)).toEqual(numbered(21, 25));
    expect(await b.journal.highestSeqNr(id)).toBe(25);
  });

  it("pushes whose rows are not the events they claim to be are refused without touching the journal; the replica asks to catch up", async () => {
    const [a, b] = peers(["a:1", "b:1"]);
    allocate([b], shard, allocationAt(a.node, 3n, [b.node])); // a does not know: it answers no catch-up
    const asked: ReplicationFrame[] = [];
    const receive = a.replicator.received.bind(a.replicator);
    a.replicator.received = (from, frame) => {
      asked.push(frame);
      receive(from, frame);
    };
    const row = (seqNr: number) => codec.encodeEvent(id, seqNr, `e${seqNr}`, 0, "w") as Buffer;
    const about = { region: "/user/accounts", shardId: shard, epoch: 3n, entityId: id };
    const send = (frame: ReplicationFrame["frame"]) => b.replicator.received(a.node, { frame });
    send({ $case: "pushed", value: { ...about, fromSeqNr: 0n, events: [row(21), row(22)] } }); // labelled by position
    send({ $case: "pushed", value: { ...about, fromSeqNr: 0n, events: [Buffer.from([0xff, 0x01])] } }); // no PersistedEvent
    send({ $case: "pushed", value: { ...about, fromSeqNr: 0n, events: [codec.encodeEvent("other", 1, "x", 0, "w") as Buffer] } });
    const snapshot = codec.encodeSnapshot(id, 20, 20, 0) as Buffer;
    send({ $case: "snapshot", value: { ...about, snapshot, events: [row(22), row(23)] } }); // a gap after the snapshot
    send({ $case: "snapshot", value: { ...about, snapshot: Buffer.from([0x0a]), events: [] } });
    send({ $case: "pushed", value: { ...about, fromSeqNr: 0n, events: [row(1), row(2)] } }); // a good one, after them
    await waitFor(() => asked.some((f) => f.frame?.$case === "acked"), 2000, "the ack of the good push");
    expect(await b.journal.loadSnapshot(id)).toBeUndefined();
    expect(await seqNrsOf(b.journal)).toEqual(numbered(1, 2));
    const catchUps = asked.flatMap((f) => (f.frame?.$case === "catchUp" ? [Number(f.frame.value.fromSeqNr)] : []));
    expect(catchUps).toEqual([1]); // once for the gap the refusals left, not once per refusal
    // a push after what it holds, whose rows hold other numbers, is refused too
    send({ $case: "pushed", value: { ...about, fromSeqNr: 2n, events: [row(5), row(6)] } });
    send({ $case: "pushed", value: { ...about, fromSeqNr: 2n, events: [row(3)] } });
    await waitFor(() => asked.filter((f) => f.frame?.$case === "acked").length === 2, 2000, "the ack of the second good push");
    expect(await seqNrsOf(b.journal)).toEqual(numbered(1, 3));
  });
});
