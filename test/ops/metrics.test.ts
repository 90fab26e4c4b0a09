// The operators' HTTP port of two in-process nodes: /metrics in the Prometheus text format with the
// casty_ metrics of real traffic (local, remote, sharded, persisted, dead letters, gateway calls),
// /cluster.json from either node, bad requests answered without harm, a taken port refused at start,
// and the server closed by the coordinated shutdown.
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Behaviors,
  ClusterClient,
  ClusteredActorSystem,
  InMemoryJournal,
  ShardEnvelope,
  SqliteJournal,
  regionStats,
  type ActorRef,
  type ClusterView,
  type NodeOptions,
} from "../../src/index.js";
import { escapes } from "../support/escapes.js";
import { depositAccount, type Deposit } from "./fixtures/deposit-account.js";
import { waitFor } from "../support/wait.js";

const escaped = escapes();
const dir = mkdtempSync(join(tmpdir(), "casty-metrics-"));
const journal = new SqliteJournal(join(dir, "journal.db"));
const options: NodeOptions = { name: "metrics", host: "127.0.0.1", port: 0, logLevel: "error", http: { port: 0 } };
let nodes: ClusteredActorSystem[] = [];
let accounts: ActorRef<ShardEnvelope<Deposit>>[] = [];
let releaseSlow: () => void = () => undefined;

const account = depositAccount(journal);

/** Every sample of the text exposition, by its series ("name{labels}"). */
async function scrape(node: ClusteredActorSystem): Promise<Map<string, number>> {
  const response = await fetch(`${node.httpUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (line.length === 0 || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

beforeAll(async () => {
  const first = await ClusteredActorSystem.start(options);
  const second = await ClusteredActorSystem.start({ ...options, seedNodes: [first.selfAddress] });
  nodes = [first, second];
  await Promise.all(nodes.map((node) => node.cluster.whenUp(10_000)));
  await waitFor(() => nodes.every((node) => node.cluster.state.members.filter((m) => m.status === "up").length === 2), 10_000, "two Up members");
  accounts = nodes.map((node) => node.spawn(Behaviors.sharded(account, { numShards: 20 }), "accounts"));
  // deposits to 20 accounts from the first node: some live on the second (remote traffic), all persist
  const ids = Array.from({ length: 20 }, (_, i) => `acct-${i}`);
  await Promise.all(ids.map((id) => first.ask(accounts[0], (replyTo) => new ShardEnvelope(id, { amount: 5, replyTo }), { timeout: 5000 })));
  // a replicated region, each node on a journal of its own: every persist waits for the other node's ack
  const replicated = nodes.map((node) =>
    node.spawn(Behaviors.sharded(depositAccount(new InMemoryJournal()), { numShards: 4, replication: { replicas: 1, minAcks: 1 } }), "replicated"),
  );
  await Promise.all(ids.map((id) => first.ask(replicated[0], (replyTo) => new ShardEnvelope(id, { amount: 1, replyTo }), { timeout: 10_000 })));
  // a dead letter to a stopped actor, and a mailbox that fills behind a handler that waits
  const gone = first.spawn(Behaviors.stopped(), "gone");
  await waitFor(() => first.lookup("/user/gone") === undefined, 2000, "the actor to stop");
  gone.tell("hello?");
  const blocked = new Promise<void>((resolve) => (releaseSlow = resolve));
  const slow = first.spawn(
    Behaviors.receive<string>(async () => {
      await blocked;
      return Behaviors.same();
    }),
    "slow",
  );
  for (let i = 0; i < 10; i++) slow.tell(`m${i}`);
  // gateway calls: one that works (connecting reads the members), one refused
  const client = await ClusterClient.connect({ contactPoints: [first.selfAddress], timeout: 3000 });
  await expect(client.ask("no-such-region", "x", (replyTo) => ({ replyTo }))).rejects.toThrow();
  client.close();
}, 40_000);

afterAll(async () => {
  releaseSlow();
  await Promise.all(nodes.map((node) => node.shutdown()));
  await journal.close();
  rmSync(dir, { recursive: true, force: true });
  escaped.assertNone();
}, 30_000);

describe("GET /metrics", () => {
  it("counts the node's messages, dead letters and mailboxes by kind of actor", async () => {
    const metrics = await scrape(nodes[0]);
    expect(metrics.get('casty_messages_processed_total{kind="/user/accounts"}')).toBeGreaterThanOrEqual(20);
    expect(metrics.get('casty_dead_letters_total{kind="/user/gone"}')).toBe(1);
    expect(metrics.get('casty_mailbox_messages{actor="/user/slow"}')).toBe(9); // one is in its handler
    // entity ids never become labels: the region's entities count under its kind
    expect([...metrics.keys()].filter((series) => series.includes("acct-"))).toEqual([]);
  });

  it("counts remote traffic per peer, membership, sharding, persistence and gateway calls", async () => {
    const [first, second] = nodes;
    await waitFor(() => first.cluster.daemon.gossipRounds > 0, 5000, "a gossip round");
    const metrics = await scrape(first);
    const peer = `peer="${second.selfAddress}"`;
    expect(metrics.get(`casty_remote_sent_envelopes_total{${peer}}`)).toBeGreaterThan(0);
    expect(metrics.get(`casty_remote_sent_bytes_total{${peer}}`)).toBeGreaterThan(0);
    expect(metrics.get(`casty_remote_received_batches_total{${peer}}`)).toBeGreaterThan(0);
    expect(metrics.get('casty_cluster_members{status="up"}')).toBe(2);
    expect(metrics.get("casty_cluster_unreachable_members")).toBe(0);
    expect(metrics.get("casty_cluster_gossip_rounds_total")).toBeGreaterThan(0);
    expect(metrics.get('casty_sharding_shards{region="accounts"}')).toBe(regionStats(accounts[0])!.shards.length);
    expect(metrics.get('casty_sharding_entities{region="accounts"}')).toBe(regionStats(accounts[0])!.entities);
    expect(metrics.get("casty_persist_batch_writes_sum")).toBeGreaterThanOrEqual(20);
    expect(metrics.get("casty_persist_batch_duration_seconds_count")).toBeGreaterThan(0);
    expect(metrics.get('casty_gateway_calls_total{method="getClusterState",code="OK"}')).toBeGreaterThanOrEqual(1);
    expect(metrics.get('casty_gateway_calls_total{method="ask",code="NOT_FOUND"}')).toBe(1);
  });

  it("shows the replication lag per region and how long persists waited for the replicas' acks", async () => {
    const metrics = await scrape(nodes[0]);
    expect(metrics.get('casty_replication_lag_events{region="replicated"}')).toBeGreaterThanOrEqual(0);
    expect(metrics.has('casty_replication_lag_events{region="accounts"}')).toBe(false); // not replicated
    const acked = (await scrape(nodes[1])).get("casty_replication_ack_duration_seconds_count")! + metrics.get("casty_replication_ack_duration_seconds_count")!;
    expect(acked).toBeGreaterThanOrEqual(20); // one per persist of the 20 accounts, on their primaries
  });

  it("follows the Prometheus conventions: casty_ names, HELP and TYPE for each, counters end in _total", async () => {
    const text = await (await fetch(`${nodes[0].httpUrl}/metrics`)).text();
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => [name, type] as const);
    expect(types.length).toBeGreaterThan(15);
    for (const [name, type] of types) {
      expect(name).toMatch(/^casty_[a-z_]+$/);
      expect(text).toContain(`# HELP ${name} `);
      if (type === "counter") expect(name).toMatch(/_total$/);
    }
  });
});

describe("the cluster page's data", () => {
  it("GET /cluster.json on either node shows both members with each node's own shard counts", async () => {
    for (const node of nodes) {
      const view = (await (await fetch(`${node.httpUrl}/cluster.json`)).json()) as ClusterView;
      expect(view.self).toBe(node.selfAddress);
      expect(view.members.map((m) => m.address).sort()).toEqual(nodes.map((n) => n.selfAddress).sort());
      for (const [i, other] of nodes.entries()) {
        const member = view.members.find((m) => m.address === other.selfAddress)!;
        expect(member).toMatchObject({ status: "up", reachable: true, stale: false });
        expect(member.snapshot?.regions.find((r) => r.name === "accounts")).toEqual({
          name: "accounts",
          shards: regionStats(accounts[i])!.shards.length,
          entities: regionStats(accounts[i])!.entities,
        });
        expect(member.snapshot?.regions.find((r) => r.name === "replicated")?.replicationLag).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it("serves the page and its files", async () => {
    const page = await fetch(`${nodes[1].httpUrl}/`);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain('<script type="module" src="page.mjs">');
    for (const file of ["page.mjs", "page.css"]) expect((await fetch(`${nodes[1].httpUrl}/${file}`)).status).toBe(200);
  });
});

describe("bad requests", () => {
  it("are answered (405, 404, 400) and the server goes on serving", async () => {
    const url = nodes[0].httpUrl!;
    expect((await fetch(`${url}/metrics`, { method: "POST" })).status).toBe(405);
    expect((await fetch(`${url}/no/such/thing`)).status).toBe(404);
    const { port } = new URL(url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      let received = "";
      socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
      socket.on("close", () => resolve(received));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });
});

describe("start and shutdown", () => {
  it("refuses to start on an HTTP port that is taken", async () => {
    const { port } = new URL(nodes[0].httpUrl!);
    await expect(ClusteredActorSystem.start({ ...options, http: { port: Number(port) } })).rejects.toThrow(/EADDRINUSE/);
  });

  it("closes the HTTP port in the coordinated shutdown", async () => {
    const node = await ClusteredActorSystem.start({ ...options, seedNodes: [nodes[0].selfAddress] });
    const url = node.httpUrl!;
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    await node.shutdown();
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  }, 30_000);
});
