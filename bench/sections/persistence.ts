// Issue 9: event sourcing. SqliteJournal: 1,000 entities persisting at once beside raw better-sqlite3
// inserting the same rows in transactions of the same size; one entity's persist → reply latency;
// recovery of 100,000 events with and without snapshots. PostgresJournal (a throwaway server, or
// $CASTY_PG_URL): 1,000 entities beside raw pg multi-row inserts of the same size. Issue 18, the read
// side on both: a projection over 100,000 tagged events beside a raw SELECT of the same rows, and the
// live query's persist → handler latency.
import { startPostgres } from "../../test/support/postgres.js";
import { runChild, runFigures, type Row } from "../harness.js";
import type { Section } from "./section.js";

interface Rate {
  readonly rate: number;
  readonly batch?: number;
}

/**
 * The casty figure, then the raw one in transactions of the batch size casty's group commit reached;
 * twice, alternating, keeping the best of each (the machine's load varies over seconds).
 */
async function besideRaw(script: string, args: string[], name: string, goals: boolean): Promise<Row[]> {
  let casty = 0;
  let raw = 0;
  let batch = 0;
  for (let i = 0; i < 2; i++) {
    const c = await runChild<Rate>(script, { args: ["--mode=concurrent", ...args], timeoutMs: 300_000 });
    batch = Math.round(c.batch ?? 1000);
    casty = Math.max(casty, c.rate);
    raw = Math.max(raw, (await runChild<Rate>(script, { args: ["--mode=raw", `--batch=${batch}`, ...args], timeoutMs: 300_000 })).rate);
  }
  const note = `${batch} rows per transaction`;
  return [
    { name, value: casty, unit: "events/s", baselineValue: raw, note, ...(goals ? { goal: { atLeastRatio: 0.5 } } : {}) },
    ...(goals ? [{ name: `${name} (absolute)`, value: casty, unit: "events/s", goal: { atLeast: 100_000 } }] : []),
  ];
}

export const persistenceSection: Section = {
  name: "persistence",
  title: "Event sourcing (SqliteJournal in a temp dir, WAL; PostgresJournal on a local server; each figure in fresh processes)",
  async run() {
    const rows: Row[] = [];
    rows.push(...(await besideRaw("persistence/sqlite.ts", [], "SqliteJournal: 1,000 entities persisting concurrently", true)));
    rows.push(...(await runFigures([{ script: "persistence/sqlite.ts", args: ["--mode=sequential"], timeoutMs: 120_000 }])));
    rows.push(...(await runFigures([{ script: "persistence/sqlite.ts", args: ["--mode=recovery"], timeoutMs: 300_000 }])));
    rows.push(...(await runFigures([{ script: "persistence/projection.ts", args: [], timeoutMs: 300_000 }])));
    const database = await startPostgres();
    if (typeof database === "string") {
      console.log(`  ${database}`);
      return rows;
    }
    try {
      rows.push(...(await besideRaw("persistence/postgres.ts", [`--url=${database.url}`], "PostgresJournal: 1,000 entities persisting concurrently", false)));
      rows.push(...(await runFigures([{ script: "persistence/projection.ts", args: [`--url=${database.url}`], timeoutMs: 300_000 }])));
    } finally {
      await database.stop();
    }
    return rows;
  },
};
