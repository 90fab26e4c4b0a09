// Retention with replication: the primary keeps a snapshot and deletes the events it covers, so a
// replica that must start from the beginning is caught up from that snapshot; after a promotion there
// the entity has every acknowledged deposit.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InMemoryJournal, shardOf, SnapshotEvery, SqliteJournal, type EventJournal } from "../../src/index.js";
import { sleep, waitFor } from "../support/wait.js";
import { eventually } from "../sharding/fixtures/nodes.js";
import type { AccountState, Deposited } from "./fixtures/account.js";
import { cut, deposit, ReplicatedNodes, stats, view, type Node } from "./fixtures/nodes.js";

const NUM_SHARDS = 20;
let nodes: ReplicatedNodes | undefined;
let dir: string | undefined;
afterEach(async () => {
  await nodes?.shutdownAll();
  nodes = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The shard's primary and replicas as `from` knows them. */
function holders(all: readonly Node[], from: Node, id: string): { primary: Node; replicas: Node[] } {
  const s = stats(from).replication!.get(shardOf(id, NUM_SHARDS))!;
  const byAddress = (a: string) => all.find((n) => n.address === a)!;
  return { primary: byAddress(s.primary), replicas: s.replicas.map(byAddress) };
}

/** The sequence numbers and deposit ids of the events `journal` holds of `id`. */
async function stored(journal: EventJournal, id: string): Promise<[number, string][]> {
  const events: [number, string][] = [];
  for await (const e of journal.replay(id, 1)) events.push([e.seqNr, (e.event as Deposited).depositId]);
  return events;
}

async function until(check: () => Promise<boolean>, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(20);
  }
}

const depositIds = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `d${from + i}`);

const journals: [string, () => EventJournal][] = [
  ["one InMemoryJournal per node", () => new InMemoryJournal()],
  ["one SqliteJournal per node", () => new SqliteJournal(join((dir ??= mkdtempSync(join(tmpdir(), "casty-snapcatchup-"))), `${Math.random()}.db`))],
];

describe("catch-up from a snapshot", () => {
  it.each(journals)(
    "%s: a new replica of an entity whose early events were deleted gets the snapshot and the later events; promoted, it has every deposit",
    { timeout: 90_000 },
    async (_, journal) => {
      nodes = new ReplicatedNodes({ replicas: 1, minAcks: 1, ackTimeout: 3000 }, NUM_SHARDS, {
        journal,
        snapshotPolicy: new SnapshotEvery(10, { deleteEvents: true }),
      });
      const all = await nodes.cluster(4, { shutdownWhenRemoved: false });
      const id = "acct-snap";
      for (let i = 0; i < 25; i++) await deposit(all[0], id, 1, `d${i}`);
      const { primary, replicas } = holders(all, all[0], id);
      const [first] = replicas;
      // the primary keeps the snapshot at 20 and the events after it (retention runs after the persist)
      await until(
        async () => (await primary.journal.loadSnapshot(id))?.seqNr === 20 && (await stored(primary.journal, id))[0]?.[0] === 21,
        10_000,
        "retention",
      );
      expect(await stored(first.journal, id)).toHaveLength(25); // replicas save no snapshots and delete nothing
      // the replica leaves: the shard gets a new one, which must start from event 1, long deleted
      const rest = all.filter((n) => n !== first);
      await nodes.stop(first);
      await waitFor(() => rest.every((n) => stats(n).replication?.get(shardOf(id, NUM_SHARDS))?.replicas.length === 1), 15_000, "a new replica");
      const [seeded] = holders(rest, primary, id).replicas;
      expect(seeded).not.toBe(primary);
      await until(async () => (await seeded.journal.highestSeqNr(id)) === 25, 15_000, `${seeded.address} to hold the 25 events`);
      // stored as on the primary: the snapshot at 20, then events 21 to 25 under their own numbers
      const snapshot = await seeded.journal.loadSnapshot(id);
      expect(snapshot?.seqNr).toBe(20);
      expect((snapshot?.state as AccountState).deposits).toEqual(depositIds(0, 20));
      expect(await stored(seeded.journal, id)).toEqual(depositIds(20, 25).map((d, i) => [21 + i, d]));
      // the primary's node is lost: the seeded replica is promoted and recovers snapshot + events
      nodes.isolate(primary);
      const others = rest.filter((n) => n !== primary);
      await waitFor(() => others.every((n) => n.system.cluster.state.members.every((m) => m.address !== primary.address)), 15_000, "the primary removed");
      const promoted = await eventually(() => view(others[0], id, 1000), 20_000, "the account on the promoted replica");
      expect(promoted.node).toBe(seeded.address);
      expect(promoted.deposits).toEqual(depositIds(0, 25));
      expect(await deposit(others[0], id, 1, "d25")).toBe(26);
      expect((await stored(seeded.journal, id)).at(-1)).toEqual([26, "d25"]);
    },
  );

  it("a replica cut off while the primary snapshots and deletes the events it misses catches up from the snapshot", { timeout: 60_000 }, async () => {
    nodes = new ReplicatedNodes({ replicas: 2, minAcks: 1, ackTimeout: 3000 }, NUM_SHARDS, { snapshotPolicy: new SnapshotEvery(10, { deleteEvents: true }) });
    const all = await nodes.cluster(3, { downing: { stableAfter: 60_000 } });
    const id = "acct-offline-snap";
    for (let i = 0; i < 3; i++) await deposit(all[0], id, 1, `d${i}`);
    const { primary, replicas } = holders(all, all[0], id);
    const [offline, online] = replicas;
    await until(async () => (await offline.journal.highestSeqNr(id)) === 3, 10_000, "the replica before the cut");
    cut(primary, offline, true);
    for (let i = 3; i < 25; i++) await deposit(primary, id, 1, `d${i}`); // acknowledged by the other replica
    await until(async () => (await primary.journal.loadSnapshot(id))?.seqNr === 20 && (await stored(primary.journal, id))[0]?.[0] === 21, 10_000, "retention");
    expect(await stored(online.journal, id)).toHaveLength(25);
    cut(primary, offline, false);
    await until(async () => (await offline.journal.highestSeqNr(id)) === 25, 15_000, "the replica that was cut off to hold the 25 events");
    expect((await offline.journal.loadSnapshot(id))?.seqNr).toBe(20);
    expect(await stored(offline.journal, id)).toEqual(depositIds(20, 25).map((d, i) => [21 + i, d]));
    await deposit(primary, id, 1, "d25");
    await until(async () => (await offline.journal.highestSeqNr(id)) === 26, 10_000, "the next push");
    expect((await stored(offline.journal, id)).at(-1)).toEqual([26, "d25"]);
  });
});
