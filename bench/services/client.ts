// The client process of the own-services bench: bank.v1.AccountService GetBalance calls and raw
// grpc-js unary echo calls, each sequential and with 256 in flight.
//   node --import tsx bench/services/client.ts --node=host:port --window=256
import * as grpc from "@grpc/grpc-js";
import { AccountServiceClient, GetBalanceRequest, type GetBalanceResponse } from "../../examples/bank-service/gen/bank/v1/bank.js";
import { echoCall } from "../gateway/echo.js";
import { load } from "../gateway/load.js";
import { argNumber, argString, emit } from "../harness.js";

const ACCOUNTS = 1000;
const window = argNumber("window", 256);
const node = argString("node", "");
const client = new AccountServiceClient(node, grpc.credentials.createInsecure());
const echo = echoCall(node);
const ids = Array.from({ length: ACCOUNTS }, (_, i) => `account-${i}`);
const metadata = new grpc.Metadata();
const payload = Buffer.from(GetBalanceRequest.encode({ accountId: ids[ACCOUNTS - 1] }).finish()); // a request of the same size
const getBalance = (n: number) =>
  new Promise<GetBalanceResponse>((resolve, reject) =>
    client.getBalance({ accountId: ids[n % ACCOUNTS] }, metadata, { deadline: Date.now() + 10_000 }, (e, r) => (e ? reject(e) : resolve(r))),
  );
try {
  const service = await load(getBalance, window);
  const raw = await load(() => echo.call(payload), window);
  emit({ service, raw });
} finally {
  client.close();
  echo.close();
}
process.exit(0);
