// Every method of an own service (bank.v1.AccountService, all four kinds) gets seeded random frames
// through raw grpc-js clients: valid requests with fields mutated, truncated, garbage, random fields.
// Nothing may escape to the process, and afterwards the node still answers a call.
import * as grpc from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import {
  AccountServiceService,
  DepositBatchRequest,
  DepositRequest,
  GetBalanceRequest,
  HistoryRequest,
  OperateRequest,
  WithdrawRequest,
} from "../../examples/bank-service/gen/bank/v1/bank.js";
import { accountService } from "../../examples/bank-service/service.js";
import { escapes } from "../support/escapes.js";
import { Fuzzer, prng, serverStream, stream, unary as rawUnary } from "../support/fuzzer.js";
import { bankClient, BankNodes, unary } from "./fixtures/bank.js";

const SEED = 0xba2c;
const CALLS_PER_METHOD = 30;
const FRAMES_PER_STREAM = 5;

const escaped = escapes();
const nodes = new BankNodes();
afterAll(async () => {
  await nodes.shutdownAll();
  escaped.assertNone();
}, 30_000);

const valid: Record<keyof typeof AccountServiceService, Uint8Array[]> = {
  getBalance: [GetBalanceRequest.encode({ accountId: "fuzz" }).finish()],
  deposit: [DepositRequest.encode({ accountId: "fuzz", amount: 5 }).finish()],
  withdraw: [WithdrawRequest.encode({ accountId: "fuzz", amount: 1 }).finish()],
  history: [HistoryRequest.encode({ accountId: "fuzz" }).finish()],
  depositBatch: [DepositBatchRequest.encode({ accountId: "fuzz", amount: 2 }).finish()],
  operate: [OperateRequest.encode({ accountId: "fuzz", amount: -1 }).finish(), OperateRequest.encode({ accountId: "fuzz", amount: 3 }).finish()],
};

describe("fuzzing an own service", () => {
  it("contains every bad frame of every method kind; the node still serves", { timeout: 60_000 }, async () => {
    const [node] = await nodes.cluster(1, { logLevel: "silent" });
    node.system.grpc.addService(AccountServiceService, accountService(node.accounts));
    const fuzz = new Fuzzer(prng(SEED));
    const client = new grpc.Client(node.system.selfAddress, grpc.credentials.createInsecure());
    try {
      for (const [key, method] of Object.entries(AccountServiceService)) {
        const frames = valid[key as keyof typeof AccountServiceService];
        const calls: Promise<void>[] = [];
        for (let i = 0; i < CALLS_PER_METHOD; i++) {
          if (method.requestStream) {
            calls.push(
              stream(
                client,
                method.path,
                Array.from({ length: 1 + fuzz.int(FRAMES_PER_STREAM) }, () => fuzz.frame(frames)),
              ),
            );
          } else if (method.responseStream) calls.push(serverStream(client, method.path, fuzz.frame(frames)));
          else calls.push(rawUnary(client, method.path, fuzz.frame(frames)));
        }
        await Promise.all(calls);
      }
    } finally {
      client.close();
    }
    const bank = bankClient(node.system.selfAddress);
    try {
      expect(await unary((...args) => bank.deposit({ accountId: "after-fuzz", amount: 7 }, ...args))).toEqual({ balance: 7 });
    } finally {
      bank.close();
    }
    const counted = node.system.grpc.calls().reduce((sum, c) => sum + c.count, 0);
    expect(counted).toBeGreaterThan(0);
  });
});
