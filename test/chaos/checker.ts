// Checks of a recorded history (pure functions): each returns the violations it found, none when the
// guarantee held. The models:
// - a set of adds: "add" puts a unique `value` into `key` (a deposit into an account, a key into a
//   map); "read" and the final state give every element of a key as applied, repeats kept;
// - a counter: "add" of 1, the final value read once every fault healed;
// - a queue: "add" enqueues a unique value, "take" dequeues one (its result is [value] or []);
// - writes of an event-sourced entity, each tagged with the entity instance that persisted it;
// - membership as each live node reports it after the faults healed.
import type { Operation } from "./history.js";

export interface Violation {
  readonly check: string;
  readonly key: string;
  readonly detail: string;
  /** How many operations it concerns, when more than one (a counter's or a queue's shortfall). */
  readonly count?: number;
}

const acked = (op: Operation) => op.outcome === "ok";
const unknown = (op: Operation) => op.outcome === undefined || op.outcome === "timeout";

function adds(ops: readonly Operation[]): Operation[] {
  return ops.filter((op) => op.f === "add");
}

function counts(elements: readonly string[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const e of elements) seen.set(e, (seen.get(e) ?? 0) + 1);
  return seen;
}

/**
 * Set of adds against the final state: no acknowledged add missing (lost), no element applied twice,
 * no definitely failed add applied, nothing applied that was never asked.
 */
export function checkAdds(ops: readonly Operation[], final: ReadonlyMap<string, readonly string[]>): Violation[] {
  const violations: Violation[] = [];
  const byKey = new Map<string, Operation[]>();
  for (const op of adds(ops)) byKey.set(op.key, [...(byKey.get(op.key) ?? []), op]);
  for (const key of new Set([...byKey.keys(), ...final.keys()])) {
    const applied = counts(final.get(key) ?? []);
    const asked = new Map((byKey.get(key) ?? []).map((op) => [op.value!, op]));
    for (const op of asked.values()) {
      if (acked(op) && !applied.has(op.value!))
        violations.push({ check: "lost", key, detail: `acknowledged add ${op.value} (op ${op.id}) is not in the final state` });
      if (op.outcome === "fail" && applied.has(op.value!))
        violations.push({ check: "failed-applied", key, detail: `add ${op.value} failed (op ${op.id}) but was applied` });
    }
    for (const [element, n] of applied) {
      if (n > 1) violations.push({ check: "duplicate", key, detail: `${element} applied ${n} times` });
      if (!asked.has(element)) violations.push({ check: "phantom", key, detail: `${element} applied but never added` });
    }
  }
  return violations;
}

/**
 * Reads of a set of adds, in real time: a read invoked after an add was acknowledged sees it; no read
 * sees an element twice; an add that was not acknowledged, once a read saw it, is seen by every read
 * invoked after that read completed (it never comes back after vanishing, i.e. it is not seen twice
 * as two different applications); a definitely failed add is never seen.
 */
export function checkReads(ops: readonly Operation[]): Violation[] {
  const violations: Violation[] = [];
  const reads = ops.filter((op) => op.f === "read" && acked(op)).sort((a, b) => a.invokedAt - b.invokedAt);
  const addsByKey = new Map<string, Operation[]>();
  for (const op of adds(ops)) addsByKey.set(op.key, [...(addsByKey.get(op.key) ?? []), op]);
  for (const read of reads) {
    const seen = counts(read.result ?? []);
    for (const [element, n] of seen)
      if (n > 1) violations.push({ check: "read-duplicate", key: read.key, detail: `read op ${read.id} sees ${element} ${n} times` });
    for (const add of addsByKey.get(read.key) ?? []) {
      const visible = seen.has(add.value!);
      if (acked(add) && add.completedAt! < read.invokedAt && !visible)
        violations.push({ check: "stale-read", key: read.key, detail: `read op ${read.id} misses ${add.value}, acknowledged before it began` });
      if (add.outcome === "fail" && visible)
        violations.push({ check: "failed-seen", key: read.key, detail: `read op ${read.id} sees ${add.value}, which failed` });
    }
  }
  for (const [key, keyAdds] of addsByKey) {
    const keyReads = reads.filter((r) => r.key === key);
    for (const add of keyAdds.filter((a) => !acked(a))) {
      const firstSeen = keyReads.find((r) => (r.result ?? []).includes(add.value!));
      if (firstSeen === undefined) continue;
      const vanished = keyReads.find((r) => r.invokedAt > firstSeen.completedAt! && !(r.result ?? []).includes(add.value!));
      if (vanished !== undefined)
        violations.push({ check: "flicker", key, detail: `unacknowledged ${add.value} seen by op ${firstSeen.id}, then gone in op ${vanished.id}` });
    }
  }
  return violations;
}

/** A counter of increments by one: the final value lies between the acknowledged and the attempted ones. */
export function checkCounter(ops: readonly Operation[], key: string, final: number): Violation[] {
  const incs = adds(ops).filter((op) => op.key === key);
  const low = incs.filter(acked).length;
  const high = incs.filter((op) => acked(op) || unknown(op)).length;
  if (final < low) return [{ check: "lost", key, detail: `counter is ${final}, below the ${low} acknowledged increments`, count: low - final }];
  if (final > high) return [{ check: "duplicate", key, detail: `counter is ${final}, above the ${high} increments that may have applied` }];
  return [];
}

/**
 * A queue of unique items drained at the end (`drained`): no item dequeued twice, none dequeued that
 * was never enqueued, and every acknowledged enqueue dequeued, except as many as dequeues of unknown
 * outcome may have taken.
 */
export function checkQueue(ops: readonly Operation[], key: string, drained: readonly string[]): Violation[] {
  const violations: Violation[] = [];
  const mine = ops.filter((op) => op.key === key);
  const taken = [...mine.filter((op) => op.f === "take" && acked(op)).flatMap((op) => op.result ?? []), ...drained];
  const enqueued = new Map(adds(mine).map((op) => [op.value!, op]));
  for (const [item, n] of counts(taken)) {
    if (n > 1) violations.push({ check: "duplicate", key, detail: `${item} dequeued ${n} times` });
    if (!enqueued.has(item)) violations.push({ check: "phantom", key, detail: `${item} dequeued but never enqueued` });
  }
  const missing = [...enqueued.values()].filter((op) => acked(op) && !taken.includes(op.value!));
  const unknownTakes = mine.filter((op) => op.f === "take" && unknown(op)).length;
  if (missing.length > unknownTakes)
    violations.push({
      count: missing.length - unknownTakes,
      check: "lost",
      key,
      detail: `${missing.length} acknowledged items never dequeued (${unknownTakes} dequeues of unknown outcome): ${missing
        .slice(0, 5)
        .map((op) => op.value)
        .join(", ")}`,
    });
  return violations;
}

/** An event as the journal holds it: which entity instance (one start of the entity on one node) wrote it. */
export interface Write {
  readonly entity: string;
  readonly seqNr: number;
  readonly instance: string;
  readonly node: string;
  readonly at: number;
}

/** A downing decision: `node` was downed at `at` (as the surviving leader logged it). */
export interface Downing {
  readonly node: string;
  readonly at: number;
}

/**
 * One writer per entity: in sequence order, once another instance wrote an entity, an earlier instance
 * never writes it again (two instances interleaving is a split brain). Checked over the whole history
 * and again over the writes after each downing decision, which then names the decision. Sequence
 * numbers are gapless and unique (a fork is two writes with one seqNr).
 */
export function checkSingleWriter(writes: readonly Write[], downings: readonly Downing[]): Violation[] {
  const violations: Violation[] = [];
  const byEntity = new Map<string, Write[]>();
  for (const w of writes) byEntity.set(w.entity, [...(byEntity.get(w.entity) ?? []), w]);
  for (const [entity, list] of byEntity) {
    const ordered = [...list].sort((a, b) => a.seqNr - b.seqNr);
    ordered.forEach((w, i) => {
      if (i > 0 && w.seqNr === ordered[i - 1].seqNr)
        violations.push({ check: "fork", key: entity, detail: `seqNr ${w.seqNr} written by ${ordered[i - 1].instance} and ${w.instance}` });
      else if (w.seqNr !== i + 1 && (i === 0 || w.seqNr !== ordered[i - 1].seqNr + 1))
        violations.push({ check: "gap", key: entity, detail: `seqNr ${w.seqNr} follows ${i === 0 ? "nothing" : ordered[i - 1].seqNr}` });
    });
    // after a downing, the downed node's instances that wrote before it count as retired already
    const windows = [
      { after: -Infinity, label: "the whole run", retired: [] as string[] },
      ...downings.map((d) => ({
        after: d.at,
        label: `the downing of ${d.node} at ${d.at}`,
        retired: ordered.filter((x) => x.node === d.node && x.at <= d.at).map((x) => x.instance),
      })),
    ];
    for (const window of windows) {
      const retired = new Set(window.retired);
      let current: string | undefined;
      for (const w of ordered.filter((x) => x.at > window.after)) {
        if (w.instance === current) continue;
        if (retired.has(w.instance) && current !== undefined) {
          violations.push({
            check: "two-writers",
            key: entity,
            detail: `${w.instance} on ${w.node} writes seqNr ${w.seqNr} again after ${current} wrote, after ${window.label}`,
          });
          break;
        }
        if (current !== undefined) retired.add(current);
        current = w.instance;
      }
    }
  }
  return violations;
}

/** What one node reported of the membership at a moment. */
export interface MembershipView {
  readonly node: string;
  readonly at: number;
  readonly up: readonly string[];
  readonly leader: string | undefined;
}

/**
 * After the faults healed at `healedAt`, every node of `expected` reports, by the end, exactly the
 * members `expected` as Up and the same leader. Answers how long that took (from `healedAt` to the
 * first moment from which every node's views agree) or the violation.
 */
export function checkConvergence(
  views: readonly MembershipView[],
  expected: readonly string[],
  healedAt: number,
): { violations: Violation[]; convergedAfter: number | undefined } {
  const want = [...expected].sort().join(",");
  const violations: Violation[] = [];
  let convergedAt = healedAt;
  for (const node of expected) {
    const mine = views.filter((v) => v.node === node && v.at >= healedAt).sort((a, b) => a.at - b.at);
    const last = mine.at(-1);
    if (last === undefined) {
      violations.push({ check: "convergence", key: node, detail: `no membership view from ${node} after the heal` });
      continue;
    }
    if ([...last.up].sort().join(",") !== want)
      violations.push({ check: "convergence", key: node, detail: `${node} ends with Up ${[...last.up].sort().join(",")}, not ${want}` });
    const firstGood = mine.findIndex((_, i) => mine.slice(i).every((v) => [...v.up].sort().join(",") === want));
    if (firstGood >= 0) convergedAt = Math.max(convergedAt, mine[firstGood].at);
  }
  const leaders = new Set(expected.map((node) => views.filter((v) => v.node === node).at(-1)?.leader));
  if (leaders.size > 1) violations.push({ check: "convergence", key: "leader", detail: `nodes end with different leaders: ${[...leaders].join(", ")}` });
  return { violations, convergedAfter: violations.length === 0 ? convergedAt - healedAt : undefined };
}
