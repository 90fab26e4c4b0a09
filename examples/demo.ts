// The main demo: a three-node cluster in one process (each node its own gRPC server on 127.0.0.1),
// with sharded, event-sourced bank accounts on a SqliteJournal file in a temp dir (each node opens
// the file, as node processes on one machine would). It shows membership events, routing to whichever
// node owns an account, a node leaving gracefully while its accounts move and recover their balances
// from the journal on their new node (no deposit lost), and the final state.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Behaviors,
  ClusteredActorSystem,
  MemberRemoved,
  MemberUp,
  ShardEnvelope,
  SqliteJournal,
  regionStats,
  type ActorRef,
  type Behavior,
  type EventJournal,
} from "../src/index.js";

type AccountMsg =
  { readonly kind: "deposit"; readonly amount: number; readonly replyTo: ActorRef<number> } | { readonly kind: "balance"; readonly replyTo: ActorRef<Balance> };
type AccountEvent = { readonly kind: "deposited"; readonly amount: number };

interface Balance {
  readonly balance: number;
  readonly node: string;
}

/** One bank account: an entity alive on exactly one node at a time, its balance the sum of its events. */
function account(node: string, journal: EventJournal): (id: string) => Behavior<AccountMsg> {
  return (entityId) =>
    Behaviors.eventSourced<AccountMsg, AccountEvent, number>({
      entityId,
      journal,
      initialState: 0,
      onEvent: (balance, e) => balance + e.amount,
      onCommand: (_ctx, balance, msg) => {
        switch (msg.kind) {
          case "deposit":
            return Behaviors.persisted([{ kind: "deposited", amount: msg.amount }], (next) => msg.replyTo.tell(next));
          case "balance":
            msg.replyTo.tell({ balance, node });
            return Behaviors.same();
        }
      },
    });
}

const log = (line: string) => console.log(line);
const options = { name: "bank", host: "127.0.0.1", port: 0, logLevel: "warn" as const, leaveTimeout: 5000 };

const first = await ClusteredActorSystem.start(options);
first.cluster.subscribe(MemberUp, (e) => log(`[${first.selfAddress}] member up: ${e.address}`));
first.cluster.subscribe(MemberRemoved, (e) => log(`[${first.selfAddress}] member removed: ${e.address}`));
const nodes = [first, ...(await Promise.all([1, 2].map(() => ClusteredActorSystem.start({ ...options, seedNodes: [first.selfAddress] }))))];
await Promise.all(nodes.map((node) => node.cluster.whenUp(10_000)));
log(`cluster of ${nodes.length} formed, leader ${first.cluster.leader}`);

// Every node runs the same code: the sharded account type under the same name, on its own journal
// connection to the shared file.
const dir = mkdtempSync(join(tmpdir(), "casty-demo-"));
const path = join(dir, "journal.db");
const journals = nodes.map(() => new SqliteJournal(path));
const accounts = nodes.map((node, i) => node.spawn(Behaviors.sharded(account(node.selfAddress, journals[i]), { numShards: 30 }), "accounts"));
log("accounts are event-sourced on a SqliteJournal in a temp dir");
const ids = Array.from({ length: 12 }, (_, i) => `acct-${i}`);

let acknowledged = 0;
let sent = 0;
async function depositRound(from: number): Promise<void> {
  sent += ids.length;
  const replies = await Promise.all(
    ids.map((id) => nodes[from].ask(accounts[from], (replyTo) => new ShardEnvelope(id, { kind: "deposit", amount: 10, replyTo }), { timeout: 5000 })),
  );
  acknowledged += replies.length;
}

async function balances(): Promise<Map<string, Balance>> {
  const entries = await Promise.all(
    ids.map(
      async (id) =>
        [
          id,
          await first.ask<ShardEnvelope<AccountMsg>, Balance>(accounts[0], (replyTo) => new ShardEnvelope(id, { kind: "balance", replyTo }), { timeout: 5000 }),
        ] as const,
    ),
  );
  return new Map(entries);
}

for (let from = 0; from < nodes.length; from++) await depositRound(from); // the same accounts, from every node
for (const [i, node] of nodes.entries()) {
  const stats = regionStats(accounts[i])!;
  log(`[${node.selfAddress}] owns ${stats.shards.length} shards, ${stats.entities} accounts`);
}
const before = await balances();
log(`every account has ${[...new Set([...before.values()].map((b) => b.balance))].join("/")} after one deposit of 10 from each node`);

// The third node leaves while the first keeps depositing: its shards move to the others, the
// deposits sent meanwhile wait for the move, and a moved account recovers its balance from the
// journal on its new node before it takes them.
const leaver = nodes[2];
log(`${leaver.selfAddress} leaves the cluster`);
const started = performance.now();
const leaving = leaver.shutdown();
await Promise.all([depositRound(0), depositRound(1)]);
await leaving;
log(`${leaver.selfAddress} left after ${Math.round(performance.now() - started)} ms`);

await depositRound(0); // after the move: every account, wherever it lives now, gets this one
const after = await balances();
const moved = ids.filter((id) => before.get(id)!.node === leaver.selfAddress);
for (const id of ids) {
  const { balance, node } = after.get(id)!;
  log(`${id}: balance ${balance} on ${node}${moved.includes(id) ? " (moved)" : ""}`);
}
log("(a moved account recovered its balance from the journal on its new node)");
log(`deposits acknowledged: ${acknowledged} of ${sent}${acknowledged === sent ? ", none lost" : ""}`);
log(`members now: ${first.cluster.state.members.map((m) => `${m.address} (${m.status})`).join(", ")}`);
const remaining = nodes.slice(0, 2);
await Promise.all(remaining.map((node) => node.shutdown()));
const events = await Promise.all(ids.map((id) => journals[0].highestSeqNr(id)));
log(`journal: ${events.reduce((a, b) => a + b, 0)} events for ${ids.length} accounts`);
await Promise.all(journals.map((j) => j.close()));
rmSync(dir, { recursive: true, force: true });
log("all nodes stopped");
