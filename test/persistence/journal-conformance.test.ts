// The same conformance suite against InMemoryJournal, SqliteJournal and PostgresJournal.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { InMemoryJournal, PostgresJournal, SqliteJournal } from "../../src/index.js";
import { startPostgres } from "../support/postgres.js";
import { journalConformance, type JournalUnderTest } from "./fixtures/conformance.js";
import { queryConformance } from "./fixtures/query-conformance.js";

/** Both suites on one kind of journal. */
function conformance(name: string, subject: () => JournalUnderTest): void {
  journalConformance(name, subject);
  queryConformance(name, subject);
}

const dir = mkdtempSync(join(tmpdir(), "casty-journal-"));
const database = await startPostgres();
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (typeof database !== "string") await database.stop();
});

conformance("InMemoryJournal", () => ({ open: () => new InMemoryJournal(), durable: false }));

let file = 0;
conformance("SqliteJournal", () => {
  const path = join(dir, `journal-${file++}.db`);
  return { open: () => new SqliteJournal(path), durable: true };
});

if (typeof database === "string") {
  describe("PostgresJournal conformance", () => it.skip(database, () => {}));
} else {
  conformance("PostgresJournal", () => ({ open: () => new PostgresJournal({ connectionString: database.url }), durable: true }));
}
