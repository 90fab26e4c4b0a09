// Retention: SnapshotEvery(n, { keepSnapshots, deleteEvents }) deletes older snapshots and the events
// the oldest kept snapshot covers; entities recover exactly and continue their sequence numbers, on
// every journal (one throwaway PostgreSQL for the file).
import Database from "better-sqlite3";
import pg from "pg";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  ActorSystem,
  InMemoryJournal,
  InvalidOptionError,
  PostgresJournal,
  SnapshotEvery,
  SqliteJournal,
  type ActorRef,
  type EventJournal,
  type ReadJournal,
} from "../../src/index.js";
import { startPostgres } from "../support/postgres.js";
import { waitFor } from "../support/wait.js";
import { account, type AccountCmd } from "./fixtures/account.js";
import { collect } from "./fixtures/journals.js";

type Journal = EventJournal & ReadJournal;

const dir = mkdtempSync(join(tmpdir(), "casty-retention-"));
const database = await startPostgres();
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (typeof database !== "string") await database.stop();
});

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

const deposit = (ref: ActorRef<AccountCmd>, amount: number) =>
  system!.ask(ref, (replyTo: ActorRef<number>) => ({ kind: "deposit", amount, replyTo }) as const, { timeout: 3000 });
const balance = (ref: ActorRef<AccountCmd>) => system!.ask(ref, (replyTo: ActorRef<number>) => ({ kind: "getBalance", replyTo }) as const, { timeout: 3000 });

async function stopped(ref: ActorRef<AccountCmd>): Promise<void> {
  ref.tell({ kind: "stop" });
  await waitFor(() => system!.lookup(ref.path) === undefined, 3000, `${ref.path} to stop`);
}

async function firstSeqNr(journal: Journal, entityId: string): Promise<number | undefined> {
  for await (const e of journal.replay(entityId, 1)) return e.seqNr;
  return undefined;
}

/** Waits until the journal's oldest event of `entityId` is `seqNr` (retention runs after the snapshot is saved). */
async function oldestBecomes(journal: Journal, entityId: string, seqNr: number | undefined): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await firstSeqNr(journal, entityId)) !== seqNr) {
    if (Date.now() > deadline) throw new Error(`the oldest event of ${entityId} did not become ${seqNr}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Subject {
  open(): Journal;
  /** The sequence numbers of the entity's stored snapshots (durable journals only). */
  readonly snapshotSeqNrs?: (entityId: string) => Promise<number[]>;
}

let n = 0;
/** Entity ids and tags unique per test: the journals of one kind share their storage. */
const uid = (what: string) => `${what}-${n++}`;

function retention(name: string, subject: () => Subject): void {
  describe(`retention on ${name}`, () => {
    it("keeps the newest 2 snapshots and the events after the older one; recovery and tag queries stay exact", async () => {
      const s = subject();
      let journal = s.open();
      const policy = new SnapshotEvery(5, { keepSnapshots: 2, deleteEvents: true });
      system = new ActorSystem({ name: "retention" });
      const [id, tag] = [uid("alice"), uid("account")];
      let factory = account(journal, { snapshotPolicy: policy, tagger: () => [tag] });
      let alice = system.spawn(factory(id), "alice");
      for (let i = 1; i <= 23; i++) await deposit(alice, i);
      // snapshots at 5, 10, 15, 20: 15 and 20 stay, events up to 15 go
      await oldestBecomes(journal, id, 16);
      if (s.snapshotSeqNrs) expect(await s.snapshotSeqNrs(id)).toEqual([15, 20]);
      expect((await journal.loadSnapshot(id))?.seqNr).toBe(20);
      expect((await collect(journal.currentEventsByTag(tag))).map((e) => e.seqNr)).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
      await stopped(alice);
      if (s.snapshotSeqNrs) {
        await journal.close();
        journal = s.open(); // reopened: a durable journal recovers from what it stored
        factory = account(journal, { snapshotPolicy: policy, tagger: () => [tag] });
      }
      alice = system.spawn(factory(id), "alice-again");
      expect(await balance(alice)).toBe((23 * 24) / 2);
      expect(await deposit(alice, 100)).toBe((23 * 24) / 2 + 100); // seqNr 24: no conflict, no reuse
      expect(await journal.highestSeqNr(id)).toBe(24);
      await journal.close();
    });

    it("recovers after every event is deleted: from the snapshot, continuing after the highest sequence number", async () => {
      const journal = subject().open();
      system = new ActorSystem({ name: "retention" });
      const factory = account(journal, { snapshotPolicy: new SnapshotEvery(5, { deleteEvents: true }) });
      const id = uid("bob");
      const bob = system.spawn(factory(id), "bob");
      for (let i = 0; i < 10; i++) await deposit(bob, 1);
      await oldestBecomes(journal, id, undefined); // the snapshot at 10 covers all
      await stopped(bob);
      const again = system.spawn(factory(id), "bob-again");
      expect(await balance(again)).toBe(10);
      expect(await deposit(again, 5)).toBe(15);
      expect((await collect(journal.replay(id, 1))).map((e) => e.seqNr)).toEqual([11]);
      await journal.close();
    });

    it("without a snapshot left, a recovering entity still continues after its deleted events", async () => {
      const journal = subject().open();
      system = new ActorSystem({ name: "retention" });
      const factory = account(journal);
      const id = uid("carol");
      const carol = system.spawn(factory(id), "carol");
      for (let i = 0; i < 3; i++) await deposit(carol, 1);
      await stopped(carol);
      await journal.deleteEvents(id, Number.MAX_SAFE_INTEGER);
      const again = system.spawn(factory(id), "carol-again");
      expect(await deposit(again, 7)).toBe(7); // its history is gone; its next event is number 4
      expect((await collect(journal.replay(id, 1))).map((e) => e.seqNr)).toEqual([4]);
      // and it recovers from what came after the deletion (as after destroy() and reuse of the id)
      await stopped(again);
      const third = system.spawn(factory(id), "carol-third");
      expect(await balance(third)).toBe(7);
      expect(await deposit(third, 1)).toBe(8);
      expect(await journal.highestSeqNr(id)).toBe(5);
      await journal.close();
    });

    it("events missing after the snapshot are corruption: recovery fails and says where", async () => {
      const journal = subject().open();
      const id = uid("dave");
      await journal.append(
        id,
        Array.from({ length: 10 }, () => ({ kind: "deposited", amount: 1 })),
        0,
      );
      await journal.saveSnapshot(id, 5, { balance: 5 });
      await journal.deleteEvents(id, 7); // 6 and 7 gone, though no kept snapshot covers them
      system = new ActorSystem({ name: "retention", logLevel: "silent" });
      const dave = system.spawn(account(journal)(id), "dave");
      const error: unknown = await balance(dave).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      await waitFor(() => system!.lookup(dave.path) === undefined, 3000, "the entity to stop after its failed recovery");
      await journal.close();
    });
  });
}

retention("InMemoryJournal", () => ({ open: () => new InMemoryJournal() }));

let file = 0;
retention("SqliteJournal", () => {
  const path = join(dir, `journal-${file++}.db`);
  return {
    open: () => new SqliteJournal(path),
    snapshotSeqNrs: (entityId) => {
      const db = new Database(path, { readonly: true });
      try {
        return Promise.resolve(db.prepare<[string], number>("SELECT seq_nr FROM casty_snapshots WHERE entity_id = ? ORDER BY seq_nr").pluck().all(entityId));
      } finally {
        db.close();
      }
    },
  };
});

if (typeof database === "string") {
  describe("retention on PostgresJournal", () => it.skip(database, () => {}));
} else {
  retention("PostgresJournal", () => ({
    open: () => new PostgresJournal({ connectionString: database.url }),
    snapshotSeqNrs: async (entityId) => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const result = await client.query<{ seq_nr: string }>("SELECT seq_nr FROM casty_snapshots WHERE entity_id = $1 ORDER BY seq_nr", [entityId]);
        return result.rows.map((r) => Number(r.seq_nr));
      } finally {
        await client.end();
      }
    },
  }));
}

describe("SnapshotEvery", () => {
  it("says what a snapshot makes obsolete", () => {
    expect(new SnapshotEvery(10).retention(20)).toEqual({ snapshotsTo: 19, eventsTo: 0 });
    expect(new SnapshotEvery(10, { keepSnapshots: 2, deleteEvents: true }).retention(23)).toEqual({ snapshotsTo: 9, eventsTo: 10 });
    expect(new SnapshotEvery(10, { keepSnapshots: 3, deleteEvents: true }).retention(10)).toEqual({ snapshotsTo: 0, eventsTo: 0 });
    expect(() => new SnapshotEvery(10, { keepSnapshots: 0 })).toThrow(InvalidOptionError);
  });
});
