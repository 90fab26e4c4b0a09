// One node of the demo (the demo script, ../demo.ts, starts three of these as processes): event-sourced bank
// accounts sharded over the cluster on this node's own SqliteJournal file (JOURNAL_PATH), each shard
// replicated to the two other nodes (a persist is confirmed once one replica has it), the gateway's
// distributed data on a journal file all nodes share (SHARED_JOURNAL_PATH), and the HTTP port with
// /metrics and the live cluster page. Every setting comes from CASTY_* variables. Prints one JSON
// line once it serves: {"type":"started","address","http"}.
import { Behaviors, ShutdownPhase, SqliteJournal, runNode, type ActorRef } from "../../src/index.js";

export type AccountCommand =
  | { readonly kind: "deposit"; readonly amount: number; readonly replyTo: ActorRef<number> }
  | { readonly kind: "getBalance"; readonly replyTo: ActorRef<number> };
type AccountEvent = { readonly kind: "deposited"; readonly amount: number };

const journal = new SqliteJournal(process.env.JOURNAL_PATH ?? "journal.db");
const shared = new SqliteJournal(process.env.SHARED_JOURNAL_PATH ?? "shared.db");

const account = (entityId: string) =>
  Behaviors.eventSourced<AccountCommand, AccountEvent, number>({
    entityId,
    journal,
    initialState: 0,
    onEvent: (balance, event) => balance + event.amount,
    onCommand: (_ctx, balance, command) => {
      switch (command.kind) {
        case "deposit":
          return Behaviors.persisted([{ kind: "deposited", amount: command.amount }], (next) => command.replyTo.tell(next));
        case "getBalance":
          command.replyTo.tell(balance);
          return Behaviors.same();
      }
    },
  });

const system = await runNode(
  (node) => {
    node.spawn(Behaviors.sharded(account, { numShards: 30, replication: { replicas: 2, minAcks: 1 } }), "accounts");
    node.coordinatedShutdown.addTask(ShutdownPhase.closeTransports, "close the journals", () =>
      Promise.all([journal.close(), shared.close()]).then(() => undefined),
    );
  },
  // a node killed with -9 is downed 2 s after the others agree it is unreachable (default 5 s)
  { gateway: { distributed: { journal: shared } }, downing: { stableAfter: 2000 } },
);
process.stdout.write(`${JSON.stringify({ type: "started", address: system.selfAddress, http: system.httpUrl })}\n`);
