// One chaos scenario, start to end: a fresh cluster on a fresh network, the workload while the fault
// runs, the heal, convergence, the final reads, and every check of the history.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AskTimeoutError, ClusterClient, ClusterClientError, SqliteJournal, type ActorRef } from "../../src/index.js";
import { prng } from "../support/fuzzer.js";
import { sleep } from "../support/wait.js";
import { checkAdds, checkConvergence, checkCounter, checkQueue, checkReads, checkSingleWriter, type Violation, type Write } from "./checker.js";
import { ChaosCluster } from "./cluster.js";
import type { Deposited } from "./fixtures/chaos-node.js";
import { History, tally } from "./history.js";
import { chaosNetwork } from "./network.js";
import { COUNTER, MAP, QUEUE, SHARDS, accountId, replicatedKey, runWorkload, type WorkloadOptions } from "./workload.js";

export interface FaultContext {
  readonly cluster: ChaosCluster;
  readonly random: () => number;
  /** Notes a step of the fault with the time since the run began. */
  step(what: string): void;
  /** Marks the moment the fault ends (links healed, node resumed or restarting): recovery is timed from here. */
  healed(): void;
  /** A deposit through node `via`, recorded like the workload's; answers the index of the node that persisted it. */
  deposit(via: number, account: string, region?: string): Promise<number | undefined>;
}

export interface Scenario {
  readonly name: string;
  readonly seed: number;
  readonly nodes: number;
  readonly params: Readonly<Record<string, string | number>>;
  /** Only in the full profile (`npm run test:chaos`). */
  readonly full?: boolean;
  /** Only where sharding replicates (see fixtures/replication.ts). */
  readonly replication?: boolean;
  /** Injects the fault while the workload runs and heals it; the nodes expected Up at the end. */
  fault(ctx: FaultContext): Promise<readonly number[]>;
}

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly mechanism: string;
  readonly counts: ReturnType<typeof tally>;
  /** The same per model: accounts, replicated accounts, counter, map, queue. */
  readonly byModel: Readonly<Record<string, ReturnType<typeof tally>>>;
  readonly lost: number;
  readonly violations: readonly Violation[];
  /** From the heal until every node agreed on the membership (ms), undefined when it never did. */
  readonly recoveredAfter: number | undefined;
  readonly steps: readonly string[];
  readonly durationMs: number;
}

const STABLE_AFTER = 2000;

/** Which model a history key belongs to (see workload.ts). */
function modelOf(key: string): string {
  const prefix = /^(counter|map|queue|replicated)[:/]/.exec(key);
  return prefix === null ? "accounts" : prefix[1];
}
const CONVERGE_TIMEOUT = 45_000;
const VIEW_POLL = 200;

/** Retries a final read until it answers (the cluster just healed), bounded. */
async function eventually<T>(read: () => Promise<T>, timeout = 20_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      const retry = error instanceof AskTimeoutError || error instanceof ClusterClientError;
      if (!retry || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

export async function runScenario(scenario: Scenario, workload: Omit<WorkloadOptions, "seed">, tail: number): Promise<ScenarioResult> {
  const began = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "casty-chaos-"));
  const network = await chaosNetwork(scenario.nodes);
  const cluster = new ChaosCluster(network, join(dir, "journal.db"), STABLE_AFTER);
  const steps: string[] = [];
  const step = (what: string) => steps.push(`${((Date.now() - began) / 1000).toFixed(1)} s: ${what}`);
  let client: ClusterClient | undefined;
  try {
    await cluster.startAll();
    step(`${scenario.nodes} nodes Up`);
    client = await ClusterClient.connect({ contactPoints: cluster.addresses, timeout: workload.timeout });
    const history = new History();
    let faultDone = false;
    let healedAt: number | undefined;
    const load = runWorkload(cluster, client, history, { ...workload, seed: scenario.seed }, () => faultDone && Date.now() > endedAt + tail);
    let endedAt = 0;
    let probes = 0;
    const deposit = async (via: number, account: string, region = "accounts"): Promise<number | undefined> => {
      let node: number | undefined;
      const op = `probe-${probes++}`;
      await history.record(`n${via}`, "add", region === "accounts" ? account : replicatedKey(account), op, async () => {
        const reply = await cluster.call(via, "deposit", { account, op, region }, workload.timeout + 1000);
        if (!reply.ok) throw new Error(reply.error);
        node = Number(String(reply.value).slice(1));
      });
      return node;
    };
    const expected = await scenario
      .fault({ cluster, random: prng(scenario.seed ^ 0x9e3779b9), step, deposit, healed: () => (healedAt = Date.now()) })
      .finally(() => ((faultDone = true), (endedAt = Date.now())));
    step("fault over");
    // every node's view from the heal on, a few times a second, so that the recovery time is measured
    let polling = true;
    const poll = (async () => {
      while (polling) {
        await Promise.all(cluster.running().map((i) => cluster.call(i, "members", {}, 1000)));
        await sleep(VIEW_POLL);
      }
    })();
    await load;
    step(`workload done: ${history.operations.length} operations`);
    const converged = await cluster.converge(expected, CONVERGE_TIMEOUT);
    polling = false;
    await poll;
    step(converged ? "membership converged" : "membership did not converge");

    const ops = history.operations;
    const final = new Map<string, string[]>();
    const writes: Write[] = [];
    const journal = new SqliteJournal(join(dir, "journal.db"));
    try {
      for (let n = 0; n < workload.accounts; n++) {
        const id = accountId(n);
        for await (const e of journal.currentEventsByEntityId(id, 1)) {
          const event = e.event as Deposited;
          final.set(id, [...(final.get(id) ?? []), event.op]);
          writes.push({ entity: id, seqNr: e.seqNr, instance: event.writer, node: event.writer.split("#")[0], at: e.timestamp });
        }
      }
    } finally {
      await journal.close();
    }
    const c = client;
    const mapped = ops.filter((op) => op.key === `map:${MAP}`).map((op) => op.value!);
    const map = c.distributed().map<string, string>(MAP, { shards: SHARDS });
    final.set(`map:${MAP}`, (await Promise.all(mapped.map(async (key) => ((await eventually(() => map.contains(key))) ? [key] : [])))).flat());
    if (workload.replicated) {
      for (let n = 0; n < workload.accounts; n++) {
        const id = accountId(n);
        final.set(replicatedKey(id), await eventually(() => c.ask<string[]>("replicated", id, (replyTo: ActorRef<string[]>) => ({ kind: "read", replyTo }))));
      }
    }
    const counterValue = await eventually(() => c.distributed().counter(COUNTER, { shards: SHARDS }).get());
    const queue = c.distributed().queue<string>(QUEUE, { shards: SHARDS });
    const drained: string[] = [];
    for (let i = 0; i < ops.length; i++) {
      const item = await eventually(() => queue.dequeue());
      if (item === undefined) break;
      drained.push(item);
    }
    step("final state read");

    const sets = ops.filter((op) => !op.key.startsWith("counter:") && !op.key.startsWith("queue:"));
    const membership = checkConvergence(
      cluster.views,
      expected.map((i) => cluster.address(i)),
      healedAt ?? endedAt,
    );
    const violations = [
      ...checkAdds(sets, final),
      ...checkReads(sets),
      ...checkCounter(ops, `counter:${COUNTER}`, counterValue),
      ...checkQueue(ops, `queue:${QUEUE}`, drained),
      ...checkSingleWriter(writes, cluster.downings),
      ...(converged ? membership.violations : [{ check: "convergence", key: "cluster", detail: `no agreement within ${CONVERGE_TIMEOUT} ms` }]),
    ];
    if (violations.length > 0) {
      const file = join(tmpdir(), `casty-chaos-${scenario.seed}-${began}.json`);
      writeFileSync(file, JSON.stringify({ violations, steps, operations: ops, writes, downings: cluster.downings, views: cluster.views }, null, 1));
      step(`history with the violations written to ${file}`);
    }
    return {
      scenario,
      mechanism: network.mechanism,
      counts: tally(ops),
      byModel: Object.fromEntries(["accounts", "replicated", "counter", "map", "queue"].map((m) => [m, tally(ops.filter((op) => modelOf(op.key) === m))])),
      lost: violations.filter((v) => v.check === "lost").reduce((n, v) => n + (v.count ?? 1), 0),
      violations,
      recoveredAfter: converged ? membership.convergedAfter : undefined,
      steps,
      durationMs: Date.now() - began,
    };
  } catch (error) {
    throw new Error(`${scenario.name}: ${(error as Error).message}\n${cluster.describe().slice(-6000)}`, { cause: error });
  } finally {
    client?.close();
    await cluster.shutdown();
    network.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
