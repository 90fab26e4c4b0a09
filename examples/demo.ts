// The main demo: a three-node cluster in one process (each node its own gRPC server on 127.0.0.1),
// with sharded bank accounts. It shows membership events, routing to whichever node owns an
// account, a node leaving gracefully while its accounts move (no deposit lost), and the final state.
import {
  Behaviors,
  ClusteredActorSystem,
  MemberRemoved,
  MemberUp,
  ShardEnvelope,
  regionStats,
  type ActorRef,
  type Behavior,
} from "../src/index.js";

type AccountMsg =
  | { readonly kind: "deposit"; readonly amount: number; readonly replyTo: ActorRef<number> }
  | { readonly kind: "balance"; readonly replyTo: ActorRef<Balance> };

interface Balance {
  readonly balance: number;
  readonly node: string;
}

/** One bank account: an entity, alive on exactly one node at a time. */
function account(node: () => string): (id: string) => Behavior<AccountMsg> {
  return () => {
    const open = (balance: number): Behavior<AccountMsg> =>
      Behaviors.receive((_ctx, msg) => {
        switch (msg.kind) {
          case "deposit":
            msg.replyTo.tell(balance + msg.amount);
            return open(balance + msg.amount);
          case "balance":
            msg.replyTo.tell({ balance, node: node() });
            return Behaviors.same();
        }
      });
    return open(0);
  };
}

const log = (line: string) => console.log(line);
const options = { name: "bank", host: "127.0.0.1", port: 0, logLevel: "warn" as const, leaveTimeout: 5000 };

const first = await ClusteredActorSystem.start(options);
first.cluster.subscribe(MemberUp, (e) => log(`[${first.selfAddress}] member up: ${e.address}`));
first.cluster.subscribe(MemberRemoved, (e) => log(`[${first.selfAddress}] member removed: ${e.address}`));
const nodes = [first, ...(await Promise.all([1, 2].map(() => ClusteredActorSystem.start({ ...options, seedNodes: [first.selfAddress] }))))];
await Promise.all(nodes.map((node) => node.cluster.whenUp(10_000)));
log(`cluster of ${nodes.length} formed, leader ${first.cluster.leader}`);

// Every node runs the same code: the sharded account type under the same name.
const accounts = nodes.map((node) => node.spawn(Behaviors.sharded(account(() => node.selfAddress), { numShards: 30 }), "accounts"));
const ids = Array.from({ length: 12 }, (_, i) => `acct-${i}`);

let acknowledged = 0;
let sent = 0;
async function depositRound(from: number): Promise<void> {
  sent += ids.length;
  const replies = await Promise.all(
    ids.map((id) => nodes[from]!.ask(accounts[from]!, (replyTo) => new ShardEnvelope(id, { kind: "deposit", amount: 10, replyTo }), { timeout: 5000 })),
  );
  acknowledged += replies.length;
}

async function balances(): Promise<Map<string, Balance>> {
  const entries = await Promise.all(
    ids.map(async (id) => [id, await first.ask<ShardEnvelope<AccountMsg>, Balance>(accounts[0]!, (replyTo) => new ShardEnvelope(id, { kind: "balance", replyTo }), { timeout: 5000 })] as const),
  );
  return new Map(entries);
}

for (let from = 0; from < nodes.length; from++) await depositRound(from); // the same accounts, from every node
for (const [i, node] of nodes.entries()) {
  const stats = regionStats(accounts[i]!)!;
  log(`[${node.selfAddress}] owns ${stats.shards.length} shards, ${stats.entities} accounts`);
}
const before = await balances();
log(`every account has ${[...new Set([...before.values()].map((b) => b.balance))].join("/")} after one deposit of 10 from each node`);

// The third node leaves while the first keeps depositing: its shards move to the others and the
// deposits sent meanwhile wait for the move, then arrive (entity state is in memory: a moved account
// starts over on its new node; event sourcing keeps it).
const leaver = nodes[2]!;
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
log("(a moved account started over on its new node: entity state lives in memory)");
log(`deposits acknowledged: ${acknowledged} of ${sent}${acknowledged === sent ? ", none lost" : ""}`);
log(`members now: ${first.cluster.state.members.map((m) => `${m.address} (${m.status})`).join(", ")}`);
const remaining = nodes.slice(0, 2);
await Promise.all(remaining.map((node) => node.shutdown()));
log("all nodes stopped");
