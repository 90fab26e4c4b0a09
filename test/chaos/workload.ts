// The workload of a chaos run, bounded in time and in count: seeded workers issue deposits into
// event-sourced accounts (through the gateway and through member nodes), reads of them, increments of a
// persistent counter, puts into a persistent map (through member nodes) and enqueues and dequeues of a
// persistent queue; every operation goes into the history with its outcome.
import * as grpc from "@grpc/grpc-js";
import { ClusterClientError, type ActorRef, type ClusterClient } from "../../src/index.js";
import { prng } from "../support/fuzzer.js";
import type { ChaosCluster, Reply } from "./cluster.js";
import type { History } from "./history.js";

export const SHARDS = 12;
export const COUNTER = "hits";
export const MAP = "seen";
export const QUEUE = "jobs";

export interface WorkloadOptions {
  readonly seed: number;
  readonly accounts: number;
  readonly workers: number;
  /** Pause between two operations of one worker (ms). */
  readonly pace: number;
  readonly maxOps: number;
  readonly timeout: number;
  /** Also deposits into and reads replicated accounts (region "replicated"). */
  readonly replicated: boolean;
}

/** The history key of a replicated account. */
export const replicatedKey = (account: string): string => `replicated/${account}`;

/** Refusals that say the call was never processed; every other failure may have taken effect. */
const DEFINITE = new Set([
  grpc.status.NOT_FOUND,
  grpc.status.INVALID_ARGUMENT,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.UNAUTHENTICATED,
  grpc.status.PERMISSION_DENIED,
]);
export const definite = (error: unknown): boolean => error instanceof ClusterClientError && DEFINITE.has(error.code);

function nodeCall(reply: Promise<Reply>): Promise<void> {
  return reply.then((r) => {
    if (!r.ok) throw new Error(r.error);
  });
}

export function accountId(n: number): string {
  return `acct-${n}`;
}

/** Runs the workers until `stop()` holds, `options.maxOps` operations were issued, or every worker finished. */
export async function runWorkload(
  cluster: ChaosCluster,
  client: ClusterClient,
  history: History,
  options: WorkloadOptions,
  stop: () => boolean,
): Promise<void> {
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  let issued = 0;
  const structures = client.distributed();
  const counter = structures.counter(COUNTER, { shards: SHARDS, timeout: options.timeout });
  const queue = structures.queue<string>(QUEUE, { shards: SHARDS, timeout: options.timeout });
  const ask = { timeout: options.timeout };

  const one = async (): Promise<void> => {
    const op = `op-${issued++}`;
    const account = accountId(Math.floor(random() * options.accounts));
    const roll = random();
    const node = pick(cluster.running().length > 0 ? cluster.running() : [0]);
    if (options.replicated && random() < 0.25) {
      const key = replicatedKey(account);
      if (roll < 0.75)
        await history.record(
          "gateway",
          "add",
          key,
          op,
          () => client.ask<string>("replicated", account, (replyTo: ActorRef<string>) => ({ kind: "deposit", op, replyTo }), ask).then(() => undefined),
          definite,
        );
      else
        await history.record(
          "gateway",
          "read",
          key,
          undefined,
          () => client.ask<string[]>("replicated", account, (replyTo: ActorRef<string[]>) => ({ kind: "read", replyTo }), ask),
          definite,
        );
    } else if (roll < 0.3)
      await history.record(
        "gateway",
        "add",
        account,
        op,
        () => client.ask<string>("accounts", account, (replyTo: ActorRef<string>) => ({ kind: "deposit", op, replyTo }), ask).then(() => undefined),
        definite,
      );
    else if (roll < 0.5)
      await history.record(`n${node}`, "add", account, op, () => nodeCall(cluster.call(node, "deposit", { account, op }, options.timeout + 1000)));
    else if (roll < 0.65)
      await history.record(
        "gateway",
        "read",
        account,
        undefined,
        () => client.ask<string[]>("accounts", account, (replyTo: ActorRef<string[]>) => ({ kind: "read", replyTo }), ask),
        definite,
      );
    else if (roll < 0.75) await history.record("gateway", "add", `counter:${COUNTER}`, op, () => counter.increment().then(() => undefined), definite);
    else if (roll < 0.85)
      await history.record(`n${node}`, "add", `map:${MAP}`, op, () => nodeCall(cluster.call(node, "put", { map: MAP, op }, options.timeout + 1000)));
    else if (roll < 0.93) await history.record("gateway", "add", `queue:${QUEUE}`, op, () => queue.enqueue(op), definite);
    else
      await history.record(
        "gateway",
        "take",
        `queue:${QUEUE}`,
        undefined,
        async () => [await queue.dequeue()].filter((x): x is string => x !== undefined),
        definite,
      );
  };

  const worker = async (): Promise<void> => {
    while (!stop() && issued < options.maxOps) {
      await one();
      await new Promise((resolve) => setTimeout(resolve, options.pace));
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
}
