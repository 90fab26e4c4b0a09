import Database from "better-sqlite3";
import type { Offset } from "../persistence/read-journal.js";
import type { OffsetStore } from "./offset-store.js";

const SCHEMA = "CREATE TABLE IF NOT EXISTS casty_offsets (projection TEXT PRIMARY KEY, offset INTEGER NOT NULL)";

/**
 * Offsets in a SQLite file, next to the projection's own tables: the handler gets the connection and
 * its writes commit in the offset's transaction (exactly-once). The transaction holds the file's write
 * lock while the handler runs: keep the view in a file of its own, not in the journal's.
 */
export class SqliteOffsetStore implements OffsetStore<Database.Database> {
  readonly db: Database.Database;
  private readonly select: Database.Statement<[string], number>;
  private readonly upsert: Database.Statement<[string, number]>;

  constructor(path: string, options: { readonly busyTimeout?: number } = {}) {
    this.db = new Database(path, { timeout: options.busyTimeout ?? 5000 });
    try {
      this.db.pragma("journal_mode = WAL");
      this.db.exec(SCHEMA);
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.select = this.db.prepare<[string], number>("SELECT offset FROM casty_offsets WHERE projection = ?").pluck();
    this.upsert = this.db.prepare(
      "INSERT INTO casty_offsets (projection, offset) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET offset = excluded.offset",
    );
  }

  load(projection: string): Promise<Offset | undefined> {
    return Promise.resolve(this.select.get(projection));
  }

  async handleAndSave(projection: string, offset: Offset, handle: (db: Database.Database) => void | Promise<void>): Promise<void> {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      await handle(this.db);
      this.upsert.run(projection, offset);
      this.db.exec("COMMIT");
    } catch (error) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }
}
