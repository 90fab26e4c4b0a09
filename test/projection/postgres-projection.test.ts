// The PostgreSQL offset store: the handler's writes through its client commit with the offset, so a
// handler failing after its write and a restart mid-stream still leave the view exactly right.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import pg from "pg";
import { ActorSystem, InMemoryJournal, PostgresOffsetStore, projection, type EventEnvelope } from "../../src/index.js";
import { CapturingLogger } from "../support/capturing-logger.js";
import { startPostgres } from "../support/postgres.js";
import { waitFor } from "../support/wait.js";

const database = await startPostgres();
afterAll(async () => {
  if (typeof database !== "string") await database.stop();
});
let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

describe.skipIf(typeof database === "string")("PostgresOffsetStore", () => {
  const url = typeof database === "string" ? "" : database.url;

  it("exactly-once: the view and the offset commit in one transaction, across failures and a restart", async () => {
    system = new ActorSystem({ name: "pg-proj", logger: new CapturingLogger() });
    const pool = new pg.Pool({ connectionString: url });
    await pool.query("CREATE TABLE balances (entity_id text PRIMARY KEY, balance bigint NOT NULL)");
    const offsetStore = new PostgresOffsetStore({ pool });
    const journal = new InMemoryJournal();
    let handled = 0;
    let failEvery = 5;
    const options = {
      name: "pg-balances",
      journal,
      tag: "account",
      offsetStore,
      restartDelay: 10,
      handler: async (e: EventEnvelope, client: pg.PoolClient) => {
        await client.query("INSERT INTO balances VALUES ($1, $2) ON CONFLICT (entity_id) DO UPDATE SET balance = balances.balance + EXCLUDED.balance", [
          e.entityId,
          (e.event as { amount: number }).amount,
        ]);
        if (++handled % failEvery === 0) throw new Error("crash after the write");
      },
    };
    for (let i = 0; i < 30; i++) await journal.append(`acc-${i % 3}`, [{ amount: i + 1 }], Math.floor(i / 3), { tags: [["account"]] });
    const first = projection(system, options);
    await waitFor(() => handled > 15, 10_000, "part of the stream");
    first.ref.tell({ kind: "stop" });
    await waitFor(() => system?.lookup(first.ref.path) === undefined, 5000, "the projection to stop");
    failEvery = 1_000_000;
    projection(system, options);
    const total = async () => Number((await pool.query<{ s: string }>("SELECT coalesce(sum(balance), 0) AS s FROM balances")).rows[0].s);
    const deadline = Date.now() + 10_000;
    while ((await total()) !== (30 * 31) / 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const view = await pool.query<{ entity_id: string; balance: string }>("SELECT entity_id, balance FROM balances ORDER BY entity_id");
    const expected = [0, 1, 2].map((k) =>
      Array.from({ length: 30 }, (_, i) => i + 1)
        .filter((a) => (a - 1) % 3 === k)
        .reduce((x, y) => x + y, 0),
    );
    expect(view.rows.map((r) => [r.entity_id, Number(r.balance)])).toEqual(expected.map((b, k) => [`acc-${k}`, b]));
    expect(await offsetStore.load("pg-balances")).toBe((await collectLast(journal)).offset);
    await system.shutdown();
    await offsetStore.close();
    await pool.end();
  }, 30_000);
});

async function collectLast(journal: InMemoryJournal): Promise<EventEnvelope> {
  let last: EventEnvelope | undefined;
  for await (const e of journal.currentEventsByTag("account")) last = e;
  if (last === undefined) throw new Error("no events");
  return last;
}
