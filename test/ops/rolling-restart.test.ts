// A rolling restart as Kubernetes does it: three node processes of examples/kubernetes/node.ts
// (runNode, event-sourced accounts on one shared SqliteJournal file) under steady deposit traffic;
// each gets SIGTERM in turn and is started again (a new incarnation). Every process exits 0 after
// handing its shards off, no acknowledged deposit is lost, asks fail for less than the handoff
// timeout, and the cluster ends with three Up backend members.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Behaviors, ClusteredActorSystem, ShardEnvelope, type ActorRef } from "../../src/index.js";
import { resolveShardingOptions } from "../../src/sharding/options.js";
import { NodeProcess } from "../support/node-process.js";
import { sleep, waitFor } from "../support/wait.js";
import { freePort } from "../support/free-port.js";

type AccountCommand =
  | { readonly kind: "deposit"; readonly amount: number; readonly replyTo: ActorRef<number> }
  | { readonly kind: "getBalance"; readonly replyTo: ActorRef<number> };

const ACCOUNTS = 30;
const WORKERS = 8;
const ASK_TIMEOUT = 3000;
const dir = mkdtempSync(join(tmpdir(), "casty-rolling-"));
const processes: NodeProcess[] = [];
let client: ClusteredActorSystem | undefined;

afterAll(async () => {
  for (const p of processes) p.kill("SIGKILL");
  await client?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe("rolling restart", () => {
  it("SIGTERM to each node in turn under traffic: clean exits, no acknowledged deposit lost, three Up members", { timeout: 180_000 }, async () => {
    const ports = await Promise.all([0, 1, 2].map(() => freePort()));
    const seeds = ports.map((p) => `127.0.0.1:${p}`);
    const startNode = (i: number): NodeProcess => {
      const p = new NodeProcess("examples/kubernetes/node.ts", [], {
        CASTY_NAME: "bank",
        CASTY_HOST: "127.0.0.1",
        CASTY_PORT: String(ports[i]),
        CASTY_SEEDS: seeds.join(","),
        CASTY_ROLES: "backend",
        JOURNAL_PATH: join(dir, "journal.db"),
      });
      processes.push(p);
      return p;
    };
    const nodes = [0, 1, 2].map(startNode);

    // The test process is a member without the backend role: its region only routes.
    client = await ClusteredActorSystem.start({ name: "bank", host: "127.0.0.1", port: 0, seedNodes: seeds, logLevel: "error" });
    const accounts = client.spawn(
      Behaviors.sharded<AccountCommand>(() => Behaviors.stopped(), { numShards: 100, role: "backend" }),
      "accounts",
    );
    const upBackends = (): string[] => client!.cluster.state.members.filter((m) => m.status === "up" && m.roles.includes("backend")).map((m) => m.address);
    await waitFor(() => upBackends().length === 3, 30_000, "three backend nodes Up").catch((e: Error) => {
      throw new Error(`${e.message}: ${nodes.map((n) => n.describe()).join("\n")}`);
    });

    const acknowledged = new Array<number>(ACCOUNTS).fill(0);
    const unconfirmed = new Array<number>(ACCOUNTS).fill(0);
    let failingSince: number | undefined;
    let longestFailure = 0;
    let running = true;
    const deadline = Date.now() + 150_000;
    const worker = async (w: number): Promise<void> => {
      for (let n = w; running && Date.now() < deadline; n += WORKERS) {
        const id = n % ACCOUNTS;
        try {
          await client!.ask(accounts, (replyTo) => new ShardEnvelope(`acct-${id}`, { kind: "deposit", amount: 1, replyTo }), { timeout: ASK_TIMEOUT });
          acknowledged[id] += 1;
          if (failingSince !== undefined) longestFailure = Math.max(longestFailure, Date.now() - failingSince);
          failingSince = undefined;
        } catch {
          unconfirmed[id] += 1;
          failingSince ??= Date.now();
          await sleep(50);
        }
      }
    };
    const traffic = Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));

    const restartTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      await sleep(1500);
      const before = acknowledged.reduce((a, b) => a + b, 0);
      const started = Date.now();
      nodes[i].kill("SIGTERM");
      await waitFor(() => nodes[i].exited !== undefined, 30_000, `node ${i} to exit after SIGTERM`);
      expect(nodes[i].exited, nodes[i].describe()).toEqual({ code: 0, signal: null });
      expect(nodes[i].output.join("")).toContain("left the cluster after SIGTERM");
      nodes[i] = startNode(i);
      await waitFor(() => upBackends().length === 3, 30_000, `node ${i} back Up`).catch((e: Error) => {
        throw new Error(`${e.message}: ${nodes.map((n) => n.describe()).join("\n")}`);
      });
      restartTimes.push(Date.now() - started);
      // traffic went on through the restart
      await waitFor(() => acknowledged.reduce((a, b) => a + b, 0) > before + 20, 15_000, "deposits acknowledged after the restart");
    }
    running = false;
    await traffic;

    const balances = await Promise.all(
      acknowledged.map((_, id) => client!.ask(accounts, (replyTo) => new ShardEnvelope(`acct-${id}`, { kind: "getBalance", replyTo }), { timeout: 10_000 })),
    );
    const total = acknowledged.reduce((a, b) => a + b, 0);
    console.info(
      `rolling restart: node restarts took ${restartTimes.join(" / ")} ms; ${total} deposits acknowledged, ` +
        `${unconfirmed.reduce((a, b) => a + b, 0)} unconfirmed; longest run of failing asks ${longestFailure} ms`,
    );
    for (let id = 0; id < ACCOUNTS; id++) {
      expect(balances[id], `acct-${id}`).toBeGreaterThanOrEqual(acknowledged[id]); // nothing acknowledged is lost
      expect(balances[id], `acct-${id}`).toBeLessThanOrEqual(acknowledged[id] + unconfirmed[id]);
    }
    expect(longestFailure).toBeLessThan(resolveShardingOptions().handOffTimeout);
    expect(upBackends().sort()).toEqual([...seeds].sort());
  });
});
