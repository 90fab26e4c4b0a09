// Own-services bench: this process is a one-node cluster serving bank.v1.AccountService
// (examples/bank-service: GetBalance asks the sharded account entity) and, on the same server, the
// raw grpc-js unary echo service. A separate client process (services/client.ts) measures both.
import { Behaviors, InMemoryJournal } from "../../src/index.js";
import { account } from "../../examples/bank-service/account.js";
import { AccountServiceService } from "../../examples/bank-service/gen/bank/v1/bank.js";
import { accountService } from "../../examples/bank-service/service.js";
import { shutdownAll, startNode } from "../cluster/common.js";
import { addEcho } from "../gateway/echo.js";
import type { Load } from "../gateway/load.js";
import { emit, runChild, type Row } from "../harness.js";

const WINDOW = 256;
const system = await startNode("services", [], { leaveTimeout: 5000 });
const accounts = system.spawn(Behaviors.sharded(account(new InMemoryJournal()), { numShards: 100 }), "accounts");
system.grpc.addService(AccountServiceService, accountService(accounts));
addEcho(system.server);
let rows: Row[] = [];
try {
  await system.cluster.whenUp(30_000);
  const client = await runChild<{ service: Load; raw: Load }>("services/client.ts", {
    args: [`--node=${system.selfAddress}`, `--window=${WINDOW}`],
    timeoutMs: 240_000,
  });
  const note = "GetBalance → ctx.ask of a sharded account (1000 ids) → reply; raw: grpc-js unary echo of a same-size request on the node's server";
  rows = [
    {
      name: `own service unary, ${WINDOW} in flight (vs raw unary echo)`,
      value: client.service.inflight,
      unit: "rt/s",
      baselineValue: client.raw.inflight,
      goal: { atLeastRatio: 0.7 },
      note,
    },
    {
      name: "own service unary, sequential (vs raw unary echo)",
      value: client.service.sequential,
      unit: "rt/s",
      baselineValue: client.raw.sequential,
      goal: { atLeastRatio: 0.7 },
    },
    { name: "own service unary p50 (vs raw unary echo)", value: client.service.p50, unit: "µs", baselineValue: client.raw.p50 },
    { name: "own service unary p99 (vs raw unary echo)", value: client.service.p99, unit: "µs", baselineValue: client.raw.p99 },
  ];
} finally {
  await shutdownAll([system]);
}
emit(rows);
process.exit(0);
