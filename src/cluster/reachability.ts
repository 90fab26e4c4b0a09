// Who observes whom as unreachable. Each observer owns one row and bumps its version on every change
// of it, so merging two tables keeps every observer's newest row: an unreachable mark gossips, and so
// does its withdrawal when heartbeats come back (an older row cannot resurrect it).

export interface ObserverRow {
  readonly version: bigint;
  /** Unique keys of the subjects this observer currently finds unreachable. */
  readonly unreachable: ReadonlySet<string>;
}

/** Observer unique key → its row. Rows stay (possibly empty) so their version survives. */
export type Reachability = ReadonlyMap<string, ObserverRow>;

export const emptyReachability: Reachability = new Map();

function setRow(table: Reachability, observer: string, unreachable: ReadonlySet<string>): Reachability {
  const version = (table.get(observer)?.version ?? 0n) + 1n;
  return new Map(table).set(observer, { version, unreachable });
}

/** Returns `table` itself when the observation is not new. */
export function recordUnreachable(table: Reachability, observer: string, subject: string): Reachability {
  const row = table.get(observer)?.unreachable ?? new Set<string>();
  return row.has(subject) ? table : setRow(table, observer, new Set(row).add(subject));
}

/** Returns `table` itself when the observer did not find the subject unreachable. */
export function recordReachable(table: Reachability, observer: string, subject: string): Reachability {
  const row = table.get(observer)?.unreachable;
  if (!row?.has(subject)) return table;
  return setRow(table, observer, new Set([...row].filter((s) => s !== subject)));
}

/** Newest row per observer (equal versions hold the same row; their union keeps merge commutative). */
export function mergeReachability(a: Reachability, b: Reachability): Reachability {
  const merged = new Map(a);
  for (const [observer, row] of b) {
    const mine = merged.get(observer);
    if (!mine || row.version > mine.version) merged.set(observer, row);
    else if (row.version === mine.version) {
      merged.set(observer, { version: row.version, unreachable: new Set([...mine.unreachable, ...row.unreachable]) });
    }
  }
  return merged;
}

/** Keeps only observations between the given nodes (current members), dropping removed incarnations. */
export function restrictReachability(table: Reachability, nodes: ReadonlySet<string>): Reachability {
  const kept = new Map<string, ObserverRow>();
  for (const [observer, row] of table) {
    if (!nodes.has(observer)) continue;
    const unreachable = [...row.unreachable].filter((s) => nodes.has(s));
    kept.set(observer, unreachable.length === row.unreachable.size ? row : { version: row.version, unreachable: new Set(unreachable) });
  }
  return kept;
}
