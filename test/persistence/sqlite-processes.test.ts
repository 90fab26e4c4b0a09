// SqliteJournal across processes: a writer killed with -9 loses no acknowledged event, and several
// processes writing one file keep every entity's sequence whole.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, SqliteJournal, type ActorRef } from "../../src/index.js";
import { NodeProcess, type NodeLine } from "../support/node-process.js";
import { waitFor } from "../support/wait.js";
import { account } from "./fixtures/account.js";
import { collect } from "./fixtures/journals.js";

interface Line extends NodeLine {
  readonly id?: string;
  readonly balance?: number;
  readonly conflicts?: number;
}

const SCRIPT = "test/persistence/fixtures/journal-process.ts";
const children: NodeProcess<Line>[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children) child.kill("SIGKILL");
  try {
    await waitFor(() => children.every((c) => c.exited !== undefined), 5000, "processes to exit");
  } finally {
    children.length = 0;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "casty-sqlite-"));
  dirs.push(dir);
  return join(dir, "journal.db");
}

function child(args: string[]): NodeProcess<Line> {
  const c = new NodeProcess<Line>(SCRIPT, args);
  children.push(c);
  return c;
}

describe("SqliteJournal across processes", () => {
  it("a process killed with -9 mid-traffic loses no acknowledged deposit", { timeout: 60_000 }, async () => {
    const path = tempFile();
    const writer = child(["deposit", path, "50"]);
    const acks = () => writer.lines.filter((l) => l.type === "ack").length;
    await waitFor(() => acks() >= 2000 || writer.exited !== undefined, 30_000, "2,000 acknowledged deposits").catch((e: unknown) => {
      throw new Error(`${String(e)}: ${writer.describe()}`);
    });
    writer.kill("SIGKILL");
    await waitFor(() => writer.exited !== undefined, 5000, "the writer to die");
    expect(writer.exited?.signal).toBe("SIGKILL");

    const acknowledged = new Map<string, number>();
    for (const l of writer.lines) if (l.type === "ack") acknowledged.set(l.id!, Math.max(acknowledged.get(l.id!) ?? 0, l.balance!));
    expect(acknowledged.size).toBe(50);

    const journal = new SqliteJournal(path);
    const system = new ActorSystem({ name: "after-crash", logLevel: "error" });
    try {
      for (const [id, balance] of acknowledged) {
        const events = await collect(journal.replay(id, 1));
        expect(events.length, `${id}: acknowledged up to ${balance}`).toBeGreaterThanOrEqual(balance);
        expect(events.map((e) => e.seqNr)).toEqual(events.map((_, i) => i + 1));
        // and the entity recovers to a balance that includes every acknowledged deposit
        const ref = system.spawn(account(journal)(id), id);
        const recovered = await system.ask(ref, (replyTo: ActorRef<number>) => ({ kind: "getBalance", replyTo }) as const);
        expect(recovered).toBe(events.length);
      }
    } finally {
      await system.shutdown();
      await journal.close();
    }
    const db = new Database(path, { readonly: true });
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    db.close();
  });

  it("three processes appending to one file keep every sequence whole (optimistic check across processes)", { timeout: 60_000 }, async () => {
    const path = tempFile();
    await new SqliteJournal(path).close(); // the schema exists before the writers race
    const writers = ["a", "b", "c"].map((tag) => child(["share", path, "300", tag]));
    await waitFor(() => writers.every((w) => w.exited !== undefined), 50_000, "the writers to finish").catch((e: unknown) => {
      throw new Error(`${String(e)}: ${writers.map((w) => w.describe()).join("\n")}`);
    });
    for (const w of writers) expect(w.exited?.code, w.describe()).toBe(0);
    const journal = new SqliteJournal(path);
    try {
      const shared = await collect(journal.replay("shared", 1));
      expect(shared.map((e) => e.seqNr)).toEqual(Array.from({ length: 900 }, (_, i) => i + 1));
      for (const [i, tag] of ["a", "b", "c"].entries()) {
        // a conflicting append does not take the other appends of its transaction down
        const conflicts = writers[i].lines.find((l) => l.type === "done")!.conflicts!;
        expect(await journal.highestSeqNr(`own-${tag}`)).toBe(300 + conflicts);
        const mine = shared.map((e) => e.event as { tag: string; k: number }).filter((e) => e.tag === tag);
        expect(mine.map((e) => e.k)).toEqual(Array.from({ length: 300 }, (_, k) => k)); // each writer's events, in its order
      }
    } finally {
      await journal.close();
    }
  });
});
