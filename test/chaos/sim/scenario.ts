// One seeded run of the whole-stack simulation: three nodes form, a workload of adds and reads runs
// through random live nodes while one random fault (crash, crash of the leader, a partition of random
// length; then a restart of what went out) happens at a random moment; then every check of the history.
import { prng } from "../../support/fuzzer.js";
import { checkAdds, checkReads, checkSingleWriter, type Violation, type Write } from "../checker.js";
import type { Operation } from "../history.js";
import { SimStack, type Added } from "./stack.js";

const PORTS = [2551, 2552, 2553];
const ENTITIES = 6;
const WORKLOAD_MS = 10_000;
const STEP = 100;
const ASK_TIMEOUT = 1500;
const SETTLE_LIMIT = 40_000;

export interface SimResult {
  readonly seed: number;
  readonly fault: string;
  readonly violations: readonly Violation[];
  readonly trace: readonly string[];
  readonly ops: number;
  /** Every operation's outcome and completion time, to compare two runs of one seed. */
  readonly outcomes: readonly string[];
  readonly operations: readonly Operation[];
  readonly writes: readonly Write[];
}

export type FaultKind = "crash" | "crash-leader" | "partition" | "none";

export interface FaultPlan {
  readonly kind: FaultKind;
  /** Index of the node it hits (0 leads the cluster). */
  readonly victim: number;
  readonly faultAt: number;
  /** After the fault: the partition heals, and a node that went out starts again. */
  readonly healAfter: number;
  /** The rest of the seed's random choices (the workload's). */
  readonly random: () => number;
}

/** What seed `seed` does: pure, so a test can pick seeds by their fault. */
export function plan(seed: number): FaultPlan {
  const random = prng(seed ^ 0x5bd1e995);
  const int = (below: number) => Math.floor(random() * below);
  const kind = (["crash", "crash-leader", "partition", "partition", "none"] as const)[int(5)];
  const victim = kind === "crash-leader" ? 0 : kind === "partition" ? int(PORTS.length) : 1 + int(PORTS.length - 1);
  return { kind, victim, faultAt: 500 + int(2500), healAfter: 500 + int(6500), random };
}

export async function simulate(seed: number): Promise<SimResult> {
  const { kind, victim, faultAt, healAfter, random } = plan(seed);
  const int = (below: number) => Math.floor(random() * below);
  const stack = new SimStack(seed);
  const addresses = PORTS.map((p) => SimStack.address(p));
  const everyone = [...addresses].sort().join(",");
  try {
    for (const port of PORTS) stack.start(port, addresses[0]);
    await stack.scheduler.until(() => stack.live().length === PORTS.length && stack.live().every((n) => stack.upSet(n) === everyone), 15_000, 50);

    const fault = `${kind} of ${addresses[victim]} at ${faultAt} ms, healed/restarted ${healAfter} ms later`;
    let ops = 0;
    for (let t = 0; t < WORKLOAD_MS; t += STEP) {
      if (kind !== "none" && t === faultAt - (faultAt % STEP)) {
        if (kind === "partition")
          stack.partition(
            [addresses[victim]],
            addresses.filter((_, i) => i !== victim),
          );
        else stack.crash(addresses[victim]);
      }
      if (kind !== "none" && t === faultAt - (faultAt % STEP) + healAfter - (healAfter % STEP)) {
        if (kind === "partition") stack.heal();
        if (stack.isDown(addresses[victim])) {
          const seedNode = stack.live().find((n) => n.address !== addresses[victim]);
          stack.start(PORTS[victim], seedNode?.address ?? addresses[victim]);
        }
      }
      const live = stack.live();
      if (live.length > 0) {
        const via = live[int(live.length)];
        stack.operate(via, `e${int(ENTITIES)}`, random() < 0.25 ? undefined : `op-${ops}`, ASK_TIMEOUT);
        ops++;
      }
      await stack.scheduler.advance(STEP);
    }
    // heal whatever is still broken, then let the cluster settle
    stack.heal();
    for (const [i, address] of addresses.entries()) {
      if (stack.isDown(address)) stack.start(PORTS[i], stack.live().find((n) => n.address !== address)?.address ?? address);
    }
    const violations: Violation[] = [];
    const converged = await stack.scheduler
      .until(() => stack.live().length === PORTS.length && stack.live().every((n) => stack.upSet(n) === everyone), SETTLE_LIMIT, 100)
      .then(
        () => true,
        () => false,
      );
    if (!converged)
      violations.push({
        check: "convergence",
        key: "cluster",
        detail: `live ${stack
          .live()
          .map((n) => `${n.address}: ${stack.upSet(n)}`)
          .join("; ")}`,
      });
    await stack.scheduler.advance(ASK_TIMEOUT + 100); // every ask settled
    const leaders = new Set(
      stack.live().map(
        (n) =>
          n.daemon.state.members
            .filter((m) => m.status === "up")
            .map((m) => m.address)
            .sort()[0],
      ),
    );
    if (leaders.size > 1) violations.push({ check: "convergence", key: "leader", detail: [...leaders].join(", ") });
    for (const [shard, owners] of stack.shardOwners())
      if (owners.length > 1) violations.push({ check: "two-owners", key: `shard ${shard}`, detail: owners.join(", ") });

    const final = new Map<string, string[]>();
    const writes: Write[] = [];
    for (let e = 0; e < ENTITIES; e++) {
      const id = `e${e}`;
      for await (const entry of stack.journal.currentEventsByEntityId(id, 1)) {
        const event = entry.event as Added;
        final.set(id, [...(final.get(id) ?? []), event.op]);
        writes.push({ entity: id, seqNr: entry.seqNr, instance: event.writer, node: event.writer.split("#")[0], at: event.at });
      }
    }
    const history = stack.history.operations;
    violations.push(...checkAdds(history, final), ...checkReads(history), ...checkSingleWriter(writes, stack.downings));
    const outcomes = history.map((op) => `${op.id} ${op.outcome ?? "-"} ${op.completedAt ?? "-"} ${op.result?.length ?? ""}`);
    return { seed, fault, violations, trace: stack.trace, ops, outcomes, operations: history, writes };
  } finally {
    await stack.shutdown();
  }
}
