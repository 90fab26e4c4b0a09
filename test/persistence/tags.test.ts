// Tags from an entity's tagger, stored with its events and queried by tag; a journal file from before
// tags opens and gains the tag index.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ActorSystem, SqliteJournal, type ActorRef } from "../../src/index.js";
import { RowCodec, standaloneSerialization } from "../../src/persistence/row-codec.js";
import { account, type AccountCmd } from "./fixtures/account.js";
import { collect } from "./fixtures/journals.js";

const dir = mkdtempSync(join(tmpdir(), "casty-tags-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

const ask = (ref: ActorRef<AccountCmd>, kind: "deposit" | "withdraw", amount: number) =>
  system!.ask(ref, (replyTo: ActorRef<number>) => ({ kind, amount, replyTo }), { timeout: 3000 });

describe("tags", () => {
  it("an entity's tagger labels each persisted event; the journal finds them by tag", async () => {
    system = new ActorSystem({ name: "tags" });
    const journal = new SqliteJournal(join(dir, "tagger.db"));
    const tagger = (e: { kind: string }) => (e.kind === "withdrawn" ? ["account", "withdrawal"] : ["account"]);
    const factory = account(journal, { tagger });
    const [alice, bob] = [system.spawn(factory("alice"), "alice"), system.spawn(factory("bob"), "bob")];
    await ask(alice, "deposit", 10);
    await ask(bob, "deposit", 7);
    await ask(alice, "withdraw", 3);
    const all = await collect(journal.currentEventsByTag("account"));
    expect(all.map((e) => [e.entityId, e.seqNr, e.event, e.tags])).toEqual([
      ["alice", 1, { kind: "deposited", amount: 10 }, ["account"]],
      ["bob", 1, { kind: "deposited", amount: 7 }, ["account"]],
      ["alice", 2, { kind: "withdrawn", amount: 3 }, ["account", "withdrawal"]],
    ]);
    expect((await collect(journal.currentEventsByTag("withdrawal"))).map((e) => e.entityId)).toEqual(["alice"]);
    await system.shutdown();
    await journal.close();
  });

  it("a journal file from before tags (no tag table) opens, replays, and indexes the tags of new events", async () => {
    const path = join(dir, "old-schema.db");
    const old = new Database(path);
    old.exec(`CREATE TABLE casty_events (entity_id TEXT NOT NULL, seq_nr INTEGER NOT NULL, event BLOB NOT NULL, PRIMARY KEY (entity_id, seq_nr));
      CREATE TABLE casty_snapshots (entity_id TEXT PRIMARY KEY, seq_nr INTEGER NOT NULL, snapshot BLOB NOT NULL);`);
    const codec = new RowCodec(standaloneSerialization());
    old.prepare("INSERT INTO casty_events VALUES (?, ?, ?)").run("old", 1, codec.encodeEvent("old", 1, "before tags", 1, ""));
    old.close();
    const journal = new SqliteJournal(path);
    expect((await collect(journal.replay("old", 1))).map((e) => [e.event, e.tags])).toEqual([["before tags", []]]);
    await journal.append("old", ["tagged"], 1, { tags: [["new"]] });
    expect((await collect(journal.currentEventsByTag("new"))).map((e) => [e.entityId, e.seqNr, e.event])).toEqual([["old", 2, "tagged"]]);
    expect(await collect(journal.currentEntityIds())).toEqual(["old"]);
    await journal.close();
  });

  it("a journal file with one snapshot per entity (keyed by entity) keeps its snapshots and takes several", async () => {
    const path = join(dir, "old-snapshots.db");
    const old = new Database(path);
    old.exec(`CREATE TABLE casty_events (entity_id TEXT NOT NULL, seq_nr INTEGER NOT NULL, event BLOB NOT NULL, PRIMARY KEY (entity_id, seq_nr));
      CREATE TABLE casty_snapshots (entity_id TEXT PRIMARY KEY, seq_nr INTEGER NOT NULL, snapshot BLOB NOT NULL);`);
    old.prepare("INSERT INTO casty_snapshots VALUES (?, ?, ?)").run("old", 4, new RowCodec(standaloneSerialization()).encodeSnapshot("old", 4, "at 4", 1));
    old.close();
    const journal = new SqliteJournal(path);
    expect((await journal.loadSnapshot("old"))?.state).toBe("at 4");
    await journal.saveSnapshot("old", 8, "at 8");
    await journal.deleteSnapshots("old", 7);
    expect((await journal.loadSnapshot("old"))?.state).toBe("at 8");
    await journal.deleteSnapshots("old", 8);
    expect(await journal.loadSnapshot("old")).toBeUndefined();
    await journal.close();
  });
});
