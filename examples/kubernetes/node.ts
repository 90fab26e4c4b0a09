// The node a Kubernetes StatefulSet runs (see README "Kubernetes"): event-sourced bank accounts,
// sharded over the cluster, on a PostgreSQL that every node shares (DATABASE_URL), or on one
// SqliteJournal file that every node process opens (JOURNAL_PATH, nodes on one machine).
// Every setting comes from CASTY_* variables; SIGTERM hands shards off and leaves.
import { Behaviors, PostgresJournal, ShutdownPhase, SqliteJournal, runNode, type ActorRef, type EventJournal } from "../../src/index.js";

type AccountCommand =
  | { readonly kind: "deposit"; readonly amount: number; readonly replyTo: ActorRef<number> }
  | { readonly kind: "getBalance"; readonly replyTo: ActorRef<number> };
type AccountEvent = { readonly kind: "deposited"; readonly amount: number };

const journal: EventJournal = process.env.DATABASE_URL
  ? new PostgresJournal({ connectionString: process.env.DATABASE_URL })
  : new SqliteJournal(process.env.JOURNAL_PATH ?? "journal.db");

const account = (entityId: string) =>
  Behaviors.eventSourced<AccountCommand, AccountEvent, { readonly balance: number }>({
    entityId,
    journal,
    initialState: { balance: 0 },
    onEvent: (state, event) => ({ balance: state.balance + event.amount }),
    onCommand: (_ctx, state, command) => {
      switch (command.kind) {
        case "deposit":
          return Behaviors.persisted([{ kind: "deposited", amount: command.amount }], (next) => {
            command.replyTo.tell(next.balance);
            return Behaviors.same();
          });
        case "getBalance":
          command.replyTo.tell(state.balance);
          return Behaviors.same();
      }
    },
  });

await runNode((system) => {
  system.spawn(Behaviors.sharded(account, { numShards: 100, role: "backend" }), "accounts");
  // after the entities stopped (user actors), before the process exits
  system.coordinatedShutdown.addTask(ShutdownPhase.closeTransports, "close the journal", () => journal.close());
});
