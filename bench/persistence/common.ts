// Shared by the persistence bench scripts: the event-sourced entity under test, journals that count
// their transactions, and the concurrent-persist driver.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Behaviors, type ActorRef, type ActorSystem, type Behavior, type EventJournal, type SnapshotPolicy } from "../../src/index.js";
import type { DurableJournal, JournalWrite } from "../../src/persistence/durable-journal.js";
import { within } from "../local/common.js";

export type Cmd =
  { readonly kind: "add"; readonly events: number; readonly replyTo?: ActorRef<number> } | { readonly kind: "get"; readonly replyTo: ActorRef<number> };
/** An event the size of a small domain event (~40 bytes of payload). */
export interface Added {
  readonly kind: "added";
  readonly amount: number;
  readonly ref: string;
}

/** Sums `amount`s; `add` persists `events` events in one `persisted` and replies with the new total. */
export function summing(entityId: string, journal: EventJournal, onPersisted: () => void, snapshotPolicy?: SnapshotPolicy): Behavior<Cmd> {
  return Behaviors.eventSourced<Cmd, Added, number>({
    entityId,
    journal,
    initialState: 0,
    onEvent: (s, e) => s + e.amount,
    onCommand: (_ctx, s, cmd) => {
      if (cmd.kind === "get") {
        cmd.replyTo.tell(s);
        return Behaviors.same();
      }
      const events = Array.from({ length: cmd.events }, (_, i): Added => ({ kind: "added", amount: 1, ref: `txn-${s + i}` }));
      return Behaviors.persisted(events, (next) => {
        onPersisted();
        cmd.replyTo?.tell(next);
      });
    },
    ...(snapshotPolicy ? { snapshotPolicy } : {}),
  });
}

/** Counts the transactions (and rows) a durable journal writes, by wrapping its batch writer. */
export function countTransactions(journal: DurableJournal): { transactions: number; rows: number } {
  const counts = { transactions: 0, rows: 0 };
  const target = journal as unknown as { writeBatch(writes: readonly JournalWrite[]): unknown };
  const write = target.writeBatch.bind(journal);
  target.writeBatch = (writes) => {
    counts.transactions++;
    for (const w of writes) counts.rows += w.kind === "append" ? w.rows.length : 1;
    return write(writes);
  };
  return counts;
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), "casty-bench-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * `entities` entities each persist `perEntity` events one command at a time (all commands told at once:
 * each entity stashes while its write is in flight), so each turn's transaction holds about one event
 * per entity. The entities recover first; resolves with events/s.
 */
export async function concurrentPersists(system: ActorSystem, journal: EventJournal, entities: number, perEntity: number, round: number): Promise<number> {
  let done = 0;
  const total = entities * perEntity;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const refs = Array.from({ length: entities }, (_, i) =>
    system.spawn(
      summing(`r${round}-e${i}`, journal, () => {
        if (++done === total) finish();
      }),
      `r${round}-e${i}`,
    ),
  );
  // every entity recovers (an empty journal) before the clock starts: the figure is persisting
  await within(
    Promise.all(refs.map((ref) => system.ask(ref, (replyTo: ActorRef<number>): Cmd => ({ kind: "get", replyTo }), { timeout: 60_000 }))),
    60_000,
    "recovery",
  );
  const add: Cmd = { kind: "add", events: 1 };
  const t0 = performance.now();
  for (let k = 0; k < perEntity; k++) for (const ref of refs) ref.tell(add);
  await within(finished, 120_000, "concurrent persists");
  return total / ((performance.now() - t0) / 1000);
}
