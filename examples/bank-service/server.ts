// A node of the bank: event-sourced accounts sharded over the cluster, served to clients in any
// language as bank.v1.AccountService (proto/bank/v1/bank.proto) on the node's one port. Three nodes
// on one machine, sharing the journal file JOURNAL_PATH (default bank.db):
//   CASTY_PORT=25520 npx tsx examples/bank-service/server.ts
//   CASTY_PORT=25521 CASTY_SEEDS=127.0.0.1:25520 npx tsx examples/bank-service/server.ts
//   CASTY_PORT=25522 CASTY_SEEDS=127.0.0.1:25520 npx tsx examples/bank-service/server.ts
// then the Python client (client.py says how). SIGTERM hands the node's accounts off and leaves.
import { Behaviors, ShutdownPhase, SqliteJournal, runNode } from "../../src/index.js";
import { account } from "./account.js";
import { AccountServiceService } from "./gen/bank/v1/bank.js";
import { accountService } from "./service.js";

const journal = new SqliteJournal(process.env.JOURNAL_PATH ?? "bank.db");

await runNode(
  (system) => {
    const accounts = system.spawn(Behaviors.sharded(account(journal), { numShards: 30 }), "accounts");
    system.grpc.addService(AccountServiceService, accountService(accounts));
    // after the entities stopped (user actors), before the process exits
    system.coordinatedShutdown.addTask(ShutdownPhase.closeTransports, "close the journal", () => journal.close());
    console.log(`bank node ${system.selfAddress} serves bank.v1.AccountService`);
    system.cluster.whenUp(60_000).then(
      () => console.log(`bank node ${system.selfAddress} is Up`),
      (error: unknown) => console.error(`bank node ${system.selfAddress} did not get Up: ${String(error)}`),
    );
  },
  { env: { CASTY_NAME: "bank", ...process.env } },
);
