import pg from "pg";
import type { Offset } from "../persistence/read-journal.js";
import type { OffsetStore } from "./offset-store.js";

const SCHEMA = 'CREATE TABLE IF NOT EXISTS casty_offsets (projection text PRIMARY KEY, "offset" bigint NOT NULL)';

/**
 * Offsets in PostgreSQL: the handler gets the transaction's client, so that its writes to the view
 * commit with the offset (exactly-once).
 */
export class PostgresOffsetStore implements OffsetStore<pg.PoolClient> {
  private readonly pool: pg.Pool;
  private readonly ownsPool: boolean;
  private schema: Promise<unknown> | undefined;

  constructor(options: { readonly connectionString?: string; readonly pool?: pg.Pool }) {
    this.ownsPool = options.pool === undefined;
    this.pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString });
    if (this.ownsPool) this.pool.on("error", () => {}); // the next query reports a dropped connection
  }

  async load(projection: string): Promise<Offset | undefined> {
    await this.ensureSchema();
    const result = await this.pool.query<{ offset: string }>('SELECT "offset" FROM casty_offsets WHERE projection = $1', [projection]);
    return result.rows.length === 0 ? undefined : Number(result.rows[0].offset);
  }

  async handleAndSave(projection: string, offset: Offset, handle: (client: pg.PoolClient) => void | Promise<void>): Promise<void> {
    await this.ensureSchema();
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await handle(client);
      await client.query(
        'INSERT INTO casty_offsets (projection, "offset") VALUES ($1, $2) ON CONFLICT (projection) DO UPDATE SET "offset" = EXCLUDED."offset"',
        [projection, offset],
      );
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {}); // the error that matters is the first one
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }

  private ensureSchema(): Promise<unknown> {
    this.schema ??= this.pool.query(SCHEMA).catch((error: unknown) => {
      this.schema = undefined;
      throw error;
    });
    return this.schema;
  }
}
