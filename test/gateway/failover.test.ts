// ClusterClient against node processes: its contact node is killed with -9 and it carries on through
// the others (reads retried, everything else answered once the cluster moved the shards).
import { afterAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { AskTimeoutError, ClusterClient, ClusterClientError, type ActorRef } from "../../src/index.js";
import type { NodeProcess } from "../support/node-process.js";
import { sleep, waitFor } from "../support/wait.js";

/** Retries a gateway ask while its entity is unreachable (UNAVAILABLE: the shard is moving) or times out. */
async function eventually<T>(attempt: () => Promise<T>, timeout: number, what: string): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      const retry = error instanceof AskTimeoutError || (error instanceof ClusterClientError && error.code === grpc.status.UNAVAILABLE);
      if (!retry || Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
      await sleep(20);
    }
  }
}
import { startProcesses, stopProcesses } from "./fixtures/processes.js";

let processes: NodeProcess[] = [];
afterAll(async () => {
  await stopProcesses(processes);
}, 30_000);

describe("ClusterClient failover", () => {
  it("moves to another contact point when its node is killed with -9", { timeout: 90_000 }, async () => {
    processes = await startProcesses(3, ["--stable-after", "2000"]);
    const addresses = processes.map((p) => p.address!);
    const client = await ClusterClient.connect({ contactPoints: addresses, timeout: 2000 });
    try {
      expect(client.contactPoint).toBe(addresses[0]);
      const ids = Array.from({ length: 12 }, (_, i) => `acct-${i}`);
      for (const id of ids) await client.tell("accounts", id, { kind: "deposit", amount: 1 });
      for (const id of ids) expect(await client.ask<number>("accounts", id, (replyTo: ActorRef<number>) => ({ kind: "getBalance", replyTo }))).toBe(1);

      const watched: string[] = []; // the node each first response came from: its own member is listed Up
      const stop = client.watchMembers((_state, event) => {
        if (event === undefined) watched.push(client.contactPoint);
      });
      await waitFor(() => watched.length > 0, 5000, "the first membership state");

      // asks in flight on the Multiplex stream to the node about to die (entities that never answer)
      const waiting = ids
        .slice(0, 4)
        .map((id) =>
          client.ask<never>("accounts", id, (replyTo: ActorRef<never>) => ({ kind: "ignore", replyTo }), { timeout: 60_000 }).catch((e: unknown) => e),
        );
      await client.members(); // a round trip to the same node behind them
      processes[0].kill("SIGKILL");
      // they end with the stream, UNAVAILABLE (they may have been handled: not sent again), long before their timeout
      for (const error of await Promise.all(waiting)) {
        expect(error).toBeInstanceOf(ClusterClientError);
        expect((error as ClusterClientError).code).toBe(grpc.status.UNAVAILABLE);
      }
      // a read is retried on the next contact point at once
      const state = await client.members();
      expect(client.contactPoint).not.toBe(addresses[0]);
      expect(state.members.map((m) => m.address)).toEqual(expect.arrayContaining(addresses.slice(1)));
      // every entity answers again, those of the killed node once their shards moved (state was in memory: new ones start at 0)
      const after = await Promise.all(
        ids.map((id) => eventually(() => client.ask<number>("accounts", id, (replyTo: ActorRef<number>) => ({ kind: "getBalance", replyTo })), 30_000, id)),
      );
      expect(after.every((b) => b === 0 || b === 1)).toBe(true);
      expect(client.contactPoint).not.toBe(addresses[0]);
      // the membership stream reopened on another contact point and began with the current state again
      await waitFor(() => watched.length > 1, 10_000, "the membership stream to reopen");
      expect(watched[1]).not.toBe(addresses[0]);
      stop();
    } finally {
      client.close();
    }
  });
});
