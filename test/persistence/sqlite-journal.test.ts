// SqliteJournal specifics: WAL, one transaction per event-loop turn, corrupt rows, refs and
// registered Protobuf types in events.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { NodeAddress } from "../../gen/casty/v1/address.js";
import {
  ActorSystem,
  Behaviors,
  Directive,
  JournalConflictError,
  JournalCorruptError,
  OneForOneStrategy,
  SerializationError,
  SqliteJournal,
  type ActorRef,
} from "../../src/index.js";
import { Serialization, type RefCodec } from "../../src/serialization/index.js";
import { waitFor } from "../support/wait.js";
import { account } from "./fixtures/account.js";
import { collect } from "./fixtures/journals.js";

const dirs: string[] = [];
const journals: SqliteJournal[] = [];
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
  for (const j of journals.splice(0)) await j.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "casty-sqlite-"));
  dirs.push(dir);
  return join(dir, "journal.db");
}

/** Counts the transactions the journal runs. */
class CountingJournal extends SqliteJournal {
  readonly batches: number[] = [];
  protected override writeBatch(writes: Parameters<SqliteJournal["writeBatch"]>[0]) {
    this.batches.push(writes.length);
    return super.writeBatch(writes);
  }
}

function open<J extends SqliteJournal>(j: J): J {
  journals.push(j);
  return j;
}

describe("SqliteJournal", () => {
  it("uses WAL and commits the appends of all entities in one turn in one transaction", async () => {
    const path = tempPath();
    const journal = open(new CountingJournal(path));
    await Promise.all(Array.from({ length: 1000 }, (_, i) => journal.append(`e${i}`, [i], 0)));
    expect(journal.batches).toEqual([1000]);
    await Promise.all([journal.append("e1", ["x"], 1), journal.saveSnapshot("e2", 1, "s")]);
    expect(journal.batches).toEqual([1000, 2]);
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT count(*) FROM casty_events").pluck().get()).toBe(1001);
    db.close();
  });

  it("notices a write by another journal on the same file even where it remembers the entity's sequence number", async () => {
    const path = tempPath();
    const first = open(new SqliteJournal(path));
    const second = open(new SqliteJournal(path));
    await first.append("e", ["a"], 0); // first now remembers 1
    await second.append("e", ["b"], 1);
    const error: unknown = await first.append("e", ["c", "d"], 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalConflictError);
    expect(error).toMatchObject({ expectedSeqNr: 1, actualSeqNr: 2 });
    await first.append("e", ["c"], 2);
    expect((await collect(second.replay("e", 1))).map((x) => x.event)).toEqual(["a", "b", "c"]);
  });

  it("a corrupt row fails that entity's recovery with a clear error; other entities keep working", async () => {
    const path = tempPath();
    const journal = open(new SqliteJournal(path));
    await journal.append("broken", ["a", "b", "c"], 0);
    await journal.append("fine", [{ kind: "deposited", amount: 1 }], 0);
    const db = new Database(path);
    db.prepare("UPDATE casty_events SET event = ? WHERE entity_id = 'broken' AND seq_nr = 2").run(Buffer.from([0xff, 0xff, 0xff]));
    db.close();
    const error: unknown = await collect(journal.replay("broken", 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalCorruptError);
    expect((error as Error).message).toMatch(/event 2 of entity "broken" does not decode/);

    system = new ActorSystem({ name: "corrupt", logLevel: "silent" });
    const errors: unknown[] = [];
    const strategy = new OneForOneStrategy({ maxRestarts: 0, decider: (e) => (errors.push(e), Directive.restart) });
    const broken = system.spawn(Behaviors.supervise(account(journal)("broken"), strategy), "broken");
    const fine = system.spawn(account(journal)("fine"), "fine");
    await waitFor(() => system!.lookup(broken.path) === undefined, 3000, "the broken entity to stop");
    expect((errors[0] as Error).message).toMatch(/entity "broken": recovery failed: event 2 of entity "broken" does not decode/);
    expect(await system.ask(fine, (replyTo: ActorRef<number>) => ({ kind: "deposit", amount: 2, replyTo }) as const)).toBe(3);
  });

  it("a row moved under another entity or sequence number is reported, not replayed", async () => {
    const path = tempPath();
    const journal = open(new SqliteJournal(path));
    await journal.append("x", ["x1"], 0);
    await journal.append("y", ["y1"], 0);
    const db = new Database(path);
    db.prepare("UPDATE casty_events SET event = (SELECT event FROM casty_events WHERE entity_id = 'y') WHERE entity_id = 'x'").run();
    db.close();
    await expect(collect(journal.replay("x", 1))).rejects.toThrow(/event 1 of entity "x" does not decode: the row holds entity "y"/);
  });

  it("stores refs through the system's ref codec; without one, an event with a ref is a SerializationError", async () => {
    system = new ActorSystem({ name: "refs", logLevel: "silent" });
    const target = system.spawn(
      Behaviors.receive<string>(() => Behaviors.same()),
      "target",
    );
    const refs: RefCodec = { addressOf: (ref) => `casty://refs${ref.path}`, resolve: (address) => system!.lookup(address.slice("casty://refs".length))! };
    const withRefs = open(new SqliteJournal(tempPath(), { serialization: new Serialization(refs) }));
    await withRefs.append("r", [{ notify: target }], 0);
    const [entry] = await collect(withRefs.replay("r", 1));
    expect((entry.event as { notify: ActorRef<string> }).notify).toBe(target);

    const plain = open(new SqliteJournal(tempPath()));
    const error: unknown = await plain.append("r", [{ notify: target }], 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toMatch(/notify/);
    expect(await plain.highestSeqNr("r")).toBe(0);
  });

  it("stores registered Protobuf messages as their own bytes under their type name", async () => {
    const serialization = new Serialization({ addressOf: () => "", resolve: () => undefined as never });
    serialization.registerProtobuf("casty.v1.NodeAddress", NodeAddress);
    const path = tempPath();
    const journal = open(new SqliteJournal(path, { serialization }));
    const event = { $type: "casty.v1.NodeAddress", system: "bank", host: "10.0.0.1", port: 25520, uid: 7n };
    await journal.append("p", [event], 0);
    const [entry] = await collect(journal.replay("p", 1));
    expect(entry.event).toEqual(event);
    const db = new Database(path, { readonly: true });
    const row = db.prepare<[], Buffer>("SELECT event FROM casty_events WHERE entity_id = 'p'").pluck().get()!;
    db.close();
    const { PersistedEvent } = await import("../../gen/casty/v1/persistence.js");
    const decoded = PersistedEvent.decode(row);
    expect(decoded.manifest).toBe("casty.v1.NodeAddress");
    expect(NodeAddress.decode(decoded.payload)).toMatchObject({ system: "bank", host: "10.0.0.1", port: 25520, uid: 7n });
  });
});
