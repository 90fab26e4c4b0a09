// Behaviors.eventSourced on an InMemoryJournal (and a SqliteJournal where serialization matters):
// persist → apply → reply, recovery with and without snapshots, stash ordering and bounds, conflicts,
// failed writes under supervision, events that cannot be serialized.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  ActorSystem,
  Behaviors,
  DeadLetter,
  Directive,
  InMemoryJournal,
  Mailbox,
  OneForOneStrategy,
  PersistFailedError,
  SerializationError,
  SnapshotEvery,
  SqliteJournal,
  type ActorRef,
  type EventJournal,
} from "../../src/index.js";
import { stopAfterPending } from "../../src/actor/internal.js";
import { CapturingLogger } from "../support/capturing-logger.js";
import { waitFor } from "../support/wait.js";
import { account, type AccountCmd, type AccountEvent } from "./fixtures/account.js";
import { collect, ControlledJournal } from "./fixtures/journals.js";

let system: ActorSystem;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await system.shutdown();
  for (const c of cleanups.splice(0)) await c();
});

let log: CapturingLogger;
function newSystem(): ActorSystem {
  log = new CapturingLogger();
  system = new ActorSystem({ name: "es", logger: log });
  return system;
}

const deposit = (ref: ActorRef<AccountCmd>, amount: number) =>
  system.ask(ref, (replyTo: ActorRef<number>) => ({ kind: "deposit", amount, replyTo }) as const, { timeout: 3000 });
const balance = (ref: ActorRef<AccountCmd>) => system.ask(ref, (replyTo: ActorRef<number>) => ({ kind: "getBalance", replyTo }) as const, { timeout: 3000 });

async function stopped(ref: ActorRef<AccountCmd>): Promise<void> {
  ref.tell({ kind: "stop" });
  await waitFor(() => system.lookup(ref.path) === undefined, 3000, `${ref.path} to stop`);
}

describe("Behaviors.eventSourced", () => {
  it("persists, applies, then replies with the new state; a new incarnation recovers it", async () => {
    newSystem();
    const journal = new InMemoryJournal();
    const ref = system.spawn(account(journal)("alice"), "alice");
    expect(await deposit(ref, 10)).toBe(10);
    expect(await deposit(ref, 5)).toBe(15);
    expect(await balance(ref)).toBe(15);
    expect((await collect(journal.replay("alice", 1))).map((e) => [e.seqNr, e.event])).toEqual([
      [1, { kind: "deposited", amount: 10 }],
      [2, { kind: "deposited", amount: 5 }],
    ]);
    await stopped(ref);
    const again = system.spawn(account(journal)("alice"), "alice");
    expect(await balance(again)).toBe(15);
    expect(await deposit(again, 1)).toBe(16);
    expect(await journal.highestSeqNr("alice")).toBe(3);
  });

  it("writes the events of one persisted(...) together and runs then() once, after all are applied", async () => {
    newSystem();
    const journal = new InMemoryJournal();
    const seen: number[] = [];
    type Cmd = { kind: "triple"; replyTo: ActorRef<number> };
    const ref = system.spawn(
      Behaviors.eventSourced<Cmd, number, number>({
        entityId: "t",
        journal,
        initialState: 0,
        onEvent: (s, e) => s + e,
        onCommand: (_ctx, _s, cmd) =>
          Behaviors.persisted([1, 2, 3], (s) => {
            seen.push(s);
            cmd.replyTo.tell(s);
          }),
      }),
      "t",
    );
    expect(await system.ask(ref, (replyTo: ActorRef<number>) => ({ kind: "triple", replyTo }) as const)).toBe(6);
    expect(seen).toEqual([6]);
    expect((await collect(journal.replay("t", 1))).map((e) => e.seqNr)).toEqual([1, 2, 3]);
  });

  it("recovers from the latest snapshot and replays only the later events", async () => {
    newSystem();
    const journal = new InMemoryJournal();
    const applied: AccountEvent[] = [];
    const factory = account(journal, { snapshotPolicy: new SnapshotEvery(3), onApplied: (_id, e) => applied.push(e) });
    const ref = system.spawn(factory("bob"), "bob");
    for (let i = 1; i <= 7; i++) await deposit(ref, i);
    await waitFor(() => applied.length === 7, 1000);
    expect((await journal.loadSnapshot("bob"))?.seqNr).toBe(6);
    expect((await journal.loadSnapshot("bob"))?.state).toEqual({ balance: 21 });
    await stopped(ref);
    applied.length = 0;
    const again = system.spawn(factory("bob"), "bob");
    expect(await balance(again)).toBe(28);
    expect(applied).toEqual([{ kind: "deposited", amount: 7 }]); // only event 7 was replayed
  });

  it("without a snapshot policy, recovery replays every event", async () => {
    newSystem();
    const journal = new InMemoryJournal();
    let applied = 0;
    const factory = account(journal, { onApplied: () => applied++ });
    const ref = system.spawn(factory("carol"), "carol");
    for (let i = 0; i < 20; i++) await deposit(ref, 1);
    await stopped(ref);
    applied = 0;
    expect(await balance(system.spawn(factory("carol"), "carol"))).toBe(20);
    expect(applied).toBe(20);
    expect(await journal.loadSnapshot("carol")).toBeUndefined();
  });

  it("handles commands sent during recovery and during a persist after it, in the order they were sent", async () => {
    newSystem();
    const journal = new ControlledJournal(new InMemoryJournal());
    await journal.inner.append("dave", [{ kind: "deposited", amount: 100 }], 0);
    const release = journal.hold(); // recovery waits
    const ref = system.spawn(account(journal)("dave"), "dave");
    const replies = Array.from({ length: 50 }, (_, i) => (i % 5 === 4 ? balance(ref) : deposit(ref, 1)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const got = await Promise.all(replies);
    // every reply reflects exactly the commands before it, in send order
    let expected = 100;
    for (let i = 0; i < 50; i++) {
      if (i % 5 !== 4) expected++;
      expect(got[i]).toBe(expected);
    }
    expect(await journal.highestSeqNr("dave")).toBe(41);
  });

  it("commands wait in the entity's mailbox while it recovers; beyond a bounded mailbox they are dead letters", async () => {
    newSystem();
    const journal = new ControlledJournal(new InMemoryJournal());
    const dead: DeadLetter[] = [];
    system.eventStream.subscribe(DeadLetter, (d) => dead.push(d));
    const release = journal.hold();
    const ref = system.spawn(account(journal)("erin"), "erin", { mailbox: new Mailbox({ capacity: 2 }) });
    for (let i = 0; i < 5; i++) ref.tell({ kind: "deposit", amount: 1 });
    await waitFor(() => dead.length === 3, 2000, "three dead letters");
    expect(dead.every((d) => /mailbox full/.test(d.reason))).toBe(true);
    release();
    await waitFor(() => journal.appends === 2, 2000);
    expect(await balance(ref)).toBe(2);
  });

  it("a stop requested while a write is in flight (a shard handing off) waits for the write and its reply", async () => {
    newSystem();
    const journal = new ControlledJournal(new InMemoryJournal());
    const ref = system.spawn(account(journal)("hank"), "hank");
    expect(await deposit(ref, 1)).toBe(1);
    const release = journal.hold();
    const reply = deposit(ref, 10);
    await waitFor(() => journal.appends === 2, 2000, "the write to start");
    const queued = deposit(ref, 100); // queued before the stop: handled before it
    stopAfterPending(ref);
    release();
    expect(await reply).toBe(11);
    expect(await queued).toBe(111);
    await waitFor(() => system.lookup(ref.path) === undefined, 2000, "the entity to stop");
    // the next incarnation (on this node or another) recovers both writes and goes on without a conflict
    const again = system.spawn(account(journal)("hank"), "hank");
    expect(await deposit(again, 1000)).toBe(1111);
  });

  it("a second writer of the same entity gets JournalConflictError and stops; what it wrote does not exist", async () => {
    newSystem();
    const journal = new InMemoryJournal();
    const first = system.spawn(account(journal)("frank"), "frank-1");
    expect(await deposit(first, 1)).toBe(1);
    const second = system.spawn(account(journal)("frank"), "frank-2");
    expect(await balance(second)).toBe(1); // recovered at seqNr 1
    expect(await deposit(first, 10)).toBe(11); // first moves on to seqNr 2
    const lost = system
      .ask(second, (replyTo: ActorRef<number>) => ({ kind: "deposit", amount: 1000, replyTo }) as const, { timeout: 300 })
      .catch((e: unknown) => e);
    await waitFor(() => system.lookup(second.path) === undefined, 3000, "the stale writer to stop");
    expect(await lost).toBeInstanceOf(Error); // never told it succeeded
    expect(log.matching(/"frank": expected sequence number 1, the journal has 2.*stopping/, "error")).toHaveLength(1);
    expect((await collect(journal.replay("frank", 1))).map((e) => e.event)).toEqual([
      { kind: "deposited", amount: 1 },
      { kind: "deposited", amount: 10 },
    ]);
    expect(await deposit(first, 1)).toBe(12);
  });

  it("a failed write applies nothing, fails the entity (restart = recover again) and tells the sender nothing", async () => {
    newSystem();
    const journal = new ControlledJournal(new InMemoryJournal());
    const errors: unknown[] = [];
    const strategy = new OneForOneStrategy({
      maxRestarts: 3,
      within: 10_000,
      decider: (e) => {
        errors.push(e);
        return Directive.restart;
      },
    });
    const ref = system.spawn(Behaviors.supervise(account(journal)("gina"), strategy), "gina");
    expect(await deposit(ref, 5)).toBe(5);
    journal.failAppends = 1;
    await expect(system.ask(ref, (replyTo: ActorRef<number>) => ({ kind: "deposit", amount: 7, replyTo }) as const, { timeout: 300 })).rejects.toThrow(
      /timed out|ask/i,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PersistFailedError);
    expect((errors[0] as PersistFailedError).entityId).toBe("gina");
    expect((errors[0] as Error).message).toMatch(/"gina".*disk on fire/);
    expect(await balance(ref)).toBe(5);
    expect(await deposit(ref, 1)).toBe(6);
  });

  it("an event that cannot be serialized fails at persisted with a SerializationError naming the field; nothing is written", async () => {
    newSystem();
    const dir = mkdtempSync(join(tmpdir(), "casty-es-"));
    const journal = new SqliteJournal(join(dir, "j.db"));
    cleanups.push(async () => {
      await journal.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const errors: unknown[] = [];
    type Cmd = { kind: "bad" } | { kind: "good"; replyTo: ActorRef<number> };
    const strategy = new OneForOneStrategy({ decider: (e) => (errors.push(e), Directive.restart) });
    const ref = system.spawn(
      Behaviors.supervise(
        Behaviors.eventSourced<Cmd, object, number>({
          entityId: "h",
          journal,
          initialState: 0,
          onEvent: (s) => s + 1,
          onCommand: (_ctx, _s, cmd) =>
            cmd.kind === "bad"
              ? Behaviors.persisted([{ ok: 1 }, { nested: { callback: () => 1 } }])
              : Behaviors.persisted([{ ok: 2 }], (s) => cmd.replyTo.tell(s)),
        }),
        strategy,
      ),
      "h",
    );
    ref.tell({ kind: "bad" });
    await waitFor(() => errors.length === 1, 3000, "the failure");
    expect(errors[0]).toBeInstanceOf(SerializationError);
    expect((errors[0] as Error).message).toMatch(/"h".*nested\.callback/);
    expect(await journal.highestSeqNr("h")).toBe(0);
    expect(await system.ask(ref, (replyTo: ActorRef<number>) => ({ kind: "good", replyTo }) as const)).toBe(1);
  });

  it("takes an async onCommand, as in the API (the types infer from eventSourced's parameters)", async () => {
    newSystem();
    type Cmd = { kind: "deposit"; amount: number; replyTo?: ActorRef<number> } | { kind: "getBalance"; replyTo: ActorRef<number> };
    type Event = { kind: "deposited"; amount: number } | { kind: "withdrawn"; amount: number };
    const journal = new InMemoryJournal();
    const entity = (entityId: string) =>
      Behaviors.eventSourced<Cmd, Event, { balance: number }>({
        entityId,
        journal,
        initialState: { balance: 0 },
        onEvent: (state, e) => (e.kind === "deposited" ? { balance: state.balance + e.amount } : { balance: state.balance - e.amount }),
        onCommand: async (_ctx, state, cmd) => {
          await new Promise((resolve) => setTimeout(resolve, 1)); // e.g. a lookup elsewhere
          switch (cmd.kind) {
            case "deposit":
              return Behaviors.persisted([{ kind: "deposited", amount: cmd.amount }], (s) => {
                cmd.replyTo?.tell(s.balance);
                return Behaviors.same();
              });
            case "getBalance":
              cmd.replyTo.tell(state.balance);
              return Behaviors.same();
          }
        },
        snapshotPolicy: new SnapshotEvery(2),
      });
    const ref = system.spawn(entity("async"), "async");
    const replies = await Promise.all(
      [1, 2, 3].map((amount) => system.ask(ref, (replyTo: ActorRef<number>) => ({ kind: "deposit", amount, replyTo }) as const)),
    );
    expect(replies).toEqual([1, 3, 6]);
    expect((await journal.loadSnapshot("async"))?.state).toEqual({ balance: 3 });
  });

  it("stopped() from onCommand stops the entity", async () => {
    newSystem();
    const ref = system.spawn(account(new InMemoryJournal())("ivan"), "ivan");
    await deposit(ref, 1);
    await stopped(ref);
  });

  it("a recovery that fails is a RecoveryFailedError naming the entity; other entities keep working", async () => {
    newSystem();
    const inner = new InMemoryJournal();
    const broken: EventJournal = Object.assign(Object.create(inner) as InMemoryJournal, {
      loadSnapshot: (id: string) => (id === "bad" ? Promise.reject(new Error("row 7 unreadable")) : inner.loadSnapshot(id)),
    });
    const errors: unknown[] = [];
    const strategy = new OneForOneStrategy({ maxRestarts: 0, decider: (e) => (errors.push(e), Directive.restart) });
    const bad = system.spawn(Behaviors.supervise(account(broken)("bad"), strategy), "bad");
    const good = system.spawn(account(broken)("good"), "good");
    expect(await deposit(good, 3)).toBe(3);
    await waitFor(() => system.lookup(bad.path) === undefined, 3000, "the broken entity to stop");
    expect((errors[0] as Error).name).toBe("RecoveryFailedError");
    expect((errors[0] as Error).message).toMatch(/"bad".*row 7 unreadable/);
  });
});
