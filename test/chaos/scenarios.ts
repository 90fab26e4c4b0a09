// The chaos scenarios, each with its parameters and seed (the seed drives the workload's choices and
// any random choice of the fault). Node 0 has the lowest address: it leads the cluster and runs the
// shard coordinator.
import { sleep, waitFor } from "../support/wait.js";
import type { ChaosCluster } from "./cluster.js";
import type { FaultContext, Scenario } from "./run.js";
import { accountId } from "./workload.js";

const WARM = 3000;

/** Waits (bounded) until every other running node's latest view no longer lists node i as Up. */
async function goneFrom(cluster: ChaosCluster, i: number, timeout: number): Promise<void> {
  const gone = () =>
    cluster
      .running()
      .filter((j) => j !== i)
      .every((j) => !(cluster.views.filter((v) => v.node === cluster.address(j)).at(-1)?.up ?? []).includes(cluster.address(i)));
  await waitFor(gone, timeout, `n${i} to be out of the membership`).catch(() => undefined);
}

/** A node that downed itself (its process exits) is started again as a new incarnation. */
async function restartIfOut(ctx: FaultContext, i: number, timeout: number): Promise<void> {
  if (await ctx.cluster.exited(i, timeout)) {
    ctx.step(`n${i} exited (downed)`);
    await ctx.cluster.start(i);
    ctx.step(`n${i} restarted and Up`);
  } else ctx.step(`n${i} still running`);
}

async function killAndReplace(ctx: FaultContext, victim: number, what: string): Promise<number[]> {
  ctx.cluster.kill(victim);
  ctx.step(`kill -9 ${what} n${victim}`);
  ctx.healed();
  await goneFrom(ctx.cluster, victim, 25_000);
  ctx.step(`n${victim} removed by the others`);
  await ctx.cluster.start(victim);
  ctx.step(`n${victim} restarted and Up`);
  return [...ctx.cluster.addresses.keys()];
}

export const scenarios: readonly Scenario[] = [
  {
    name: "kill the leader and coordinator",
    seed: 101,
    nodes: 3,
    params: { victim: "n0 (leader, coordinator)", signal: "SIGKILL", "warm-up ms": WARM, "downing stableAfter ms": 2000 },
    async fault(ctx) {
      await sleep(WARM);
      return killAndReplace(ctx, 0, "the leader");
    },
  },
  {
    name: "partition 2|1 and heal",
    seed: 102,
    nodes: 3,
    params: { sides: "{n0,n1} | {n2}", "cut for ms": 9000, "warm-up ms": WARM },
    async fault(ctx) {
      await sleep(WARM);
      await Promise.all([ctx.cluster.cut(0, 2), ctx.cluster.cut(1, 2)]);
      ctx.step("cut n2 off from n0 and n1");
      await sleep(9000);
      await Promise.all([ctx.cluster.heal(0, 2), ctx.cluster.heal(1, 2)]);
      ctx.step("links healed");
      ctx.healed();
      await restartIfOut(ctx, 2, 20_000);
      return [0, 1, 2];
    },
  },
  {
    name: "pause a node past the failure detector",
    seed: 103,
    nodes: 3,
    params: { victim: "n1", "SIGSTOP for ms": 9000, "warm-up ms": WARM },
    async fault(ctx) {
      await sleep(WARM);
      ctx.cluster.pause(1);
      ctx.step("SIGSTOP n1");
      await sleep(9000);
      ctx.cluster.resume(1);
      ctx.step("SIGCONT n1");
      ctx.healed();
      await restartIfOut(ctx, 1, 20_000);
      return [0, 1, 2];
    },
  },
  {
    name: "5% packet loss for 30 s",
    seed: 104,
    nodes: 3,
    full: true,
    params: { nodes: "all, both directions", "loss %": 5, "for ms": 30_000 },
    async fault(ctx) {
      await sleep(WARM);
      const applied = ctx.cluster.addresses.map((_, i) => ctx.cluster.network.loss(i, 5));
      ctx.step(applied.every(Boolean) ? "5% loss on every node" : "loss not available on this network: ran without it");
      await sleep(30_000);
      for (const i of ctx.cluster.addresses.keys()) ctx.cluster.network.clearLoss(i);
      ctx.step("loss cleared");
      ctx.healed();
      return [0, 1, 2];
    },
  },
  {
    name: "rolling restart of all nodes",
    seed: 105,
    nodes: 3,
    params: { order: "n2, n1, n0", stop: "SIGTERM (graceful leave)", "warm-up ms": WARM },
    async fault(ctx) {
      await sleep(WARM);
      for (const i of [2, 1, 0]) {
        await ctx.cluster.stop(i);
        ctx.step(`n${i} stopped`);
        await ctx.cluster.start(i);
        ctx.step(`n${i} started and Up`);
      }
      return [0, 1, 2];
    },
  },
  {
    name: "a node's journal made read-only mid-run",
    seed: 106,
    nodes: 3,
    params: { victim: "n1", "read-only for ms": 6000, "warm-up ms": WARM },
    async fault(ctx) {
      await sleep(WARM);
      await ctx.cluster.call(1, "readonly");
      ctx.step("n1's journal read-only (EROFS on every write)");
      await sleep(6000);
      await ctx.cluster.call(1, "writable");
      ctx.step("n1's journal writable again");
      ctx.healed();
      return [0, 1, 2];
    },
  },
  {
    name: "kill the node of hot entities",
    seed: 107,
    nodes: 3,
    params: { "hot entities": "acct-0, acct-1", signal: "SIGKILL", "warm-up ms": WARM },
    async fault(ctx) {
      await sleep(WARM);
      const homes = await Promise.all([0, 1].map((n) => ctx.deposit(0, accountId(n))));
      const victim = homes.find((h) => h !== undefined) ?? 1;
      ctx.step(`hot entities run on n${homes.map((h) => h ?? "?").join(", n")}`);
      return killAndReplace(ctx, victim, "the hot entities' node");
    },
  },
  {
    name: "kill the primary of hot replicated entities",
    seed: 108,
    nodes: 3,
    replication: true,
    params: { "hot entities": "acct-0, acct-1 (region replicated)", replication: "replicas 2, minAcks 1, node-local in-memory journals", signal: "SIGKILL" },
    async fault(ctx) {
      await sleep(WARM);
      const homes = await Promise.all([0, 1].map((n) => ctx.deposit(0, accountId(n), "replicated")));
      const victim = homes.find((h) => h !== undefined) ?? 1;
      ctx.step(`hot replicated entities' primaries on n${homes.map((h) => h ?? "?").join(", n")}`);
      return killAndReplace(ctx, victim, "the hot replicated entities' primary");
    },
  },
];
