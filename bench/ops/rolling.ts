// Operations: three node processes of examples/kubernetes/node.ts (runNode, event-sourced accounts on
// one SqliteJournal file) with 10,000 live entities, and this process as a member without the backend
// role that only routes. Figures: SIGTERM → exit of a node owning about a third of the entities (it
// hands its shards off and leaves), and the longest pause a client sees during a rolling restart of
// all three (a deposit retried until it succeeds, measured from its first attempt).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Behaviors, ClusteredActorSystem, ShardEnvelope, type ActorRef } from "../../src/index.js";
import { argNumber, emit, type Row } from "../harness.js";
import { NodeProcess, sleep, waitUntil } from "../cluster/common.js";
import { freePort } from "../../test/support/free-port.js";

type AccountCommand =
  | { readonly kind: "deposit"; readonly amount: number; readonly replyTo: ActorRef<number> }
  | { readonly kind: "getBalance"; readonly replyTo: ActorRef<number> };

const entities = argNumber("entities", 10_000);
const workers = argNumber("workers", 16);
const dir = mkdtempSync(join(tmpdir(), "casty-bench-rolling-"));

const ports = await Promise.all([0, 1, 2].map(() => freePort()));
const seeds = ports.map((p) => `127.0.0.1:${p}`);
const startNode = (i: number): NodeProcess =>
  new NodeProcess("../examples/kubernetes/node.ts", [], 600_000, {
    CASTY_NAME: "bank",
    CASTY_HOST: "127.0.0.1",
    CASTY_PORT: String(ports[i]),
    CASTY_SEEDS: seeds.join(","),
    CASTY_ROLES: "backend",
    JOURNAL_PATH: join(dir, "journal.db"),
  });
const nodes = [0, 1, 2].map(startNode);
const client = await ClusteredActorSystem.start({ name: "bank", host: "127.0.0.1", port: 0, seedNodes: seeds, logLevel: "error" });
const accounts = client.spawn(
  Behaviors.sharded<AccountCommand>(() => Behaviors.stopped(), { numShards: 100, role: "backend" }),
  "accounts",
);
const upBackends = (): number => client.cluster.state.members.filter((m) => m.status === "up" && m.roles.includes("backend")).length;
const deposit = (id: number) => client.ask(accounts, (replyTo) => new ShardEnvelope(`acct-${id}`, { kind: "deposit", amount: 1, replyTo }), { timeout: 5000 });

try {
  await waitUntil(() => upBackends() === 3, 60_000, "three backend nodes Up", 20);
  // every entity alive: one deposit each, 256 at a time
  for (let from = 0; from < entities; from += 256) {
    await Promise.all(Array.from({ length: Math.min(256, entities - from) }, (_, k) => deposit(from + k)));
  }

  const sigtermStart = performance.now();
  nodes[0].kill("SIGTERM");
  await waitUntil(() => nodes[0].exited !== undefined, 60_000, "node 0 to exit", 2);
  const sigtermMs = performance.now() - sigtermStart;
  if (nodes[0].exited?.code !== 0) throw new Error(`node 0 exited with ${JSON.stringify(nodes[0].exited)}`);
  nodes[0] = startNode(0);
  await waitUntil(() => upBackends() === 3, 60_000, "node 0 back Up", 20);

  // rolling restart under traffic: each deposit retried until it succeeds
  let running = true;
  let longestPause = 0;
  let completed = 0;
  const worker = async (w: number): Promise<void> => {
    for (let n = w; running; n += workers) {
      const first = performance.now();
      for (;;) {
        try {
          await deposit(n % entities);
          break;
        } catch {
          await sleep(20);
        }
      }
      longestPause = Math.max(longestPause, performance.now() - first);
      completed++;
    }
  };
  const traffic = Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  const restartMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    await sleep(1000);
    const started = performance.now();
    nodes[i].kill("SIGTERM");
    await waitUntil(() => nodes[i].exited !== undefined, 60_000, `node ${i} to exit`, 5);
    nodes[i] = startNode(i);
    await waitUntil(() => upBackends() === 3, 60_000, `node ${i} back Up`, 20);
    restartMs.push(performance.now() - started);
  }
  await sleep(1000);
  running = false;
  await traffic;

  const rows: Row[] = [
    { name: `SIGTERM → exit, node owning ~1/3 of ${entities.toLocaleString("en")} live entities`, value: sigtermMs, unit: "ms" },
    { name: "node restart in a rolling restart (SIGTERM → new incarnation Up)", value: Math.max(...restartMs), unit: "ms" },
    { name: `longest client pause, rolling restart of 3 (${completed} deposits)`, value: longestPause, unit: "ms" },
  ];
  emit(rows);
} finally {
  for (const node of nodes) node.kill("SIGKILL");
  await client.shutdown();
  rmSync(dir, { recursive: true, force: true });
}
