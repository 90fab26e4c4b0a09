// Event evolution: a journal file from the first version of the test account (fixtures/accounts-v0.db,
// written by fixtures/write-v0-journal.ts) recovers through a registered upcaster, on replay and in
// the tag queries; events written after are at the new version and are not upcast again.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ActorSystem, InvalidOptionError, SqliteJournal, type ActorRef } from "../../src/index.js";
import { standaloneSerialization } from "../../src/persistence/row-codec.js";
import type { Serialization } from "../../src/serialization/index.js";
import { account, type AccountCmd } from "./fixtures/account.js";
import { collect } from "./fixtures/journals.js";

const dir = mkdtempSync(join(tmpdir(), "casty-upcast-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

function copyOfV0(): string {
  const path = join(dir, `accounts-${Date.now()}-${Math.random()}.db`);
  copyFileSync(fileURLToPath(new URL("fixtures/accounts-v0.db", import.meta.url)), path);
  return path;
}

function evolved(): Serialization {
  const serialization = standaloneSerialization();
  serialization.registerUpcaster("casty.v1.Value", 0, (e) => {
    const old = e as { kind: string; value?: number };
    return old.kind === "credit" ? { kind: "deposited", amount: old.value } : e;
  });
  return serialization;
}

const balance = (ref: ActorRef<AccountCmd>) => system!.ask(ref, (replyTo: ActorRef<number>) => ({ kind: "getBalance", replyTo }) as const, { timeout: 3000 });

describe("upcasting", () => {
  it("recovers entities from a journal of the earlier event type; queries see the current shape", async () => {
    system = new ActorSystem({ name: "upcast" });
    const journal = new SqliteJournal(copyOfV0(), { serialization: evolved() });
    const factory = account(journal);
    const alice = system.spawn(factory("alice"), "alice");
    expect(await balance(alice)).toBe(15);
    expect(await balance(system.spawn(factory("bob"), "bob"))).toBe(7);
    expect((await collect(journal.currentEventsByTag("account"))).map((e) => [e.entityId, e.event])).toEqual([
      ["alice", { kind: "deposited", amount: 10 }],
      ["alice", { kind: "deposited", amount: 5 }],
      ["bob", { kind: "deposited", amount: 7 }],
    ]);
    await journal.close();
  });

  it("writes new events at the current version: a later upcaster applies to the old ones only", async () => {
    const path = copyOfV0();
    const first = new SqliteJournal(path, { serialization: evolved() });
    await first.append("alice", [{ kind: "deposited", amount: 1 }], 2);
    await first.close();
    const later = evolved();
    later.registerUpcaster("casty.v1.Value", 1, (e) => ({ ...(e as object), currency: "EUR" }));
    const again = new SqliteJournal(path, { serialization: later });
    expect((await collect(again.replay("alice", 1))).map((e) => e.event)).toEqual([
      { kind: "deposited", amount: 10, currency: "EUR" },
      { kind: "deposited", amount: 5, currency: "EUR" },
      { kind: "deposited", amount: 1, currency: "EUR" },
    ]);
    await again.append("alice", [{ kind: "deposited", amount: 2, currency: "USD" }], 3);
    expect((await collect(again.replay("alice", 4))).map((e) => e.event)).toEqual([{ kind: "deposited", amount: 2, currency: "USD" }]);
    await again.close();
  });

  it("upcasts snapshots on recovery like events; a snapshot written at the current version is not upcast again", async () => {
    const path = join(dir, `snapshots-${Date.now()}.db`);
    const v0 = new SqliteJournal(path); // the first version kept the balance in cents
    await v0.append("dave", [{ kind: "deposited", amount: 5 }], 0);
    await v0.saveSnapshot("dave", 1, { cents: 500 });
    await v0.append("dave", [{ kind: "deposited", amount: 1 }], 1);
    await v0.close();
    const inEuros = () => {
      const serialization = standaloneSerialization();
      serialization.registerUpcaster("casty.v1.Value", 0, (v) =>
        typeof v === "object" && v !== null && "cents" in v ? { balance: (v.cents as number) / 100 } : v,
      );
      return serialization;
    };
    system = new ActorSystem({ name: "upcast" });
    const journal = new SqliteJournal(path, { serialization: inEuros() });
    expect(await balance(system.spawn(account(journal)("dave"), "dave"))).toBe(6);
    await journal.saveSnapshot("dave", 2, { balance: 6 });
    await journal.close();
    const later = inEuros();
    later.registerUpcaster("casty.v1.Value", 1, (v) => (typeof v === "object" && v !== null && "balance" in v ? { ...v, upcast: true } : v));
    const again = new SqliteJournal(path, { serialization: later });
    expect((await again.loadSnapshot("dave"))?.state).toEqual({ balance: 6, upcast: true });
    await again.deleteSnapshots("dave", 2);
    await again.saveSnapshot("dave", 2, { balance: 6 }); // at version 2 now: no upcaster applies
    expect((await again.loadSnapshot("dave"))?.state).toEqual({ balance: 6 });
    await again.close();
  });

  it("without the upcaster the old events keep their old shape; upcasters register in version order", async () => {
    const journal = new SqliteJournal(copyOfV0());
    expect((await collect(journal.replay("bob", 1))).map((e) => e.event)).toEqual([{ kind: "credit", value: 7 }]);
    await journal.close();
    expect(() => standaloneSerialization().registerUpcaster("casty.v1.Value", 1, (e) => e)).toThrow(InvalidOptionError);
  });
});
