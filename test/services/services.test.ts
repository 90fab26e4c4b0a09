// bank.v1.AccountService served by a 2-node cluster with `system.grpc.addService`: the four method
// kinds on sharded accounts on either node, error codes, health by the service's full name, calls per
// method and code, and UNAVAILABLE from a node that is not Up.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountServiceService, type HistoryResponse, type OperateResponse } from "../../examples/bank-service/gen/bank/v1/bank.js";
import { accountService } from "../../examples/bank-service/service.js";
import { NOT_PROCESSED } from "../../src/gateway/status.js";
import { ShutdownPhase } from "../../src/index.js";
import { HealthClient } from "../cluster/integration/nodes.js";
import { escapes } from "../support/escapes.js";
import { bankClient, BankNodes, collect, failureOf, unary, type BankNode } from "./fixtures/bank.js";

const escaped = escapes();
const nodes = new BankNodes();
let a: BankNode;
let b: BankNode;

beforeAll(async () => {
  // a serves the service before it is Up, b only once it is
  a = await nodes.start([]);
  a.system.grpc.addService(AccountServiceService, accountService(a.accounts));
  b = await nodes.start([a.system.selfAddress]);
  await b.system.cluster.whenUp(15_000);
  // b may be the leader (the lower address) and Up before its gossip reached a
  await a.system.cluster.whenUp(15_000);
  b.system.grpc.addService(AccountServiceService, accountService(b.accounts));
}, 30_000);

afterAll(async () => {
  await nodes.shutdownAll();
  escaped.assertNone();
}, 30_000);

const ACCOUNTS = ["alice", "bob", "carol", "dave", "erin", "frank"];

describe("own gRPC services", () => {
  it("unary calls ask sharded accounts on either node, and each node sees the same balances", async () => {
    const clientA = bankClient(a.system.selfAddress);
    const clientB = bankClient(b.system.selfAddress);
    try {
      for (const [i, accountId] of ACCOUNTS.entries()) {
        expect(await unary((...args) => clientA.deposit({ accountId, amount: 100 + i }, ...args))).toEqual({ balance: 100 + i });
        expect(await unary((...args) => clientB.withdraw({ accountId, amount: 50 }, ...args))).toEqual({ balance: 50 + i });
      }
      for (const [i, accountId] of ACCOUNTS.entries()) {
        expect(await unary((...args) => clientB.getBalance({ accountId }, ...args))).toEqual({ balance: 50 + i });
        expect(await unary((...args) => clientA.getBalance({ accountId }, ...args))).toEqual({ balance: 50 + i });
      }
    } finally {
      clientA.close();
      clientB.close();
    }
  });

  it("server streaming: History streams the account's operations from its entity, then ends", async () => {
    const client = bankClient(b.system.selfAddress);
    try {
      for (const amount of [10, 20, 30]) await unary((...args) => client.deposit({ accountId: "hist", amount }, ...args));
      await unary((...args) => client.withdraw({ accountId: "hist", amount: 15 }, ...args));
      const operations = await collect<HistoryResponse>(client.history({ accountId: "hist" }, { deadline: Date.now() + 5000 }));
      expect(operations).toEqual([
        { amount: 10, balance: 10 },
        { amount: 20, balance: 30 },
        { amount: 30, balance: 60 },
        { amount: -15, balance: 45 },
      ]);
      expect(await collect(client.history({ accountId: "never-used" }))).toEqual([]);
      // from both nodes, so that each account's replies also cross to the other node's relay
      for (const node of [a, b]) {
        const near = bankClient(node.system.selfAddress);
        try {
          for (const [i, accountId] of ACCOUNTS.entries()) {
            expect(await collect<HistoryResponse>(near.history({ accountId }))).toEqual([
              { amount: 100 + i, balance: 100 + i },
              { amount: -50, balance: 50 + i },
            ]);
          }
        } finally {
          near.close();
        }
      }
    } finally {
      client.close();
    }
  });

  it("client streaming: DepositBatch deposits each request and answers the count and total", async () => {
    const client = bankClient(a.system.selfAddress);
    try {
      const response = await new Promise((resolve, reject) => {
        const call = client.depositBatch((error, reply) => (error ? reject(error) : resolve(reply)));
        for (let i = 1; i <= 10; i++) call.write({ accountId: `batch-${i % 3}`, amount: i });
        call.end();
      });
      expect(response).toEqual({ count: 10, total: 55 });
      expect(await unary((...args) => client.getBalance({ accountId: "batch-0" }, ...args))).toEqual({ balance: 3 + 6 + 9 });
    } finally {
      client.close();
    }
  });

  it("bidi: Operate answers each deposit and withdrawal with the new balance, and ends when the client does", async () => {
    const client = bankClient(b.system.selfAddress);
    try {
      const call = client.operate();
      const replies = collect<OperateResponse>(call);
      for (const amount of [5, 7, -2]) call.write({ accountId: "bidi", amount });
      call.end();
      expect(await replies).toEqual([
        { accountId: "bidi", balance: 5 },
        { accountId: "bidi", balance: 12 },
        { accountId: "bidi", balance: 10 },
      ]);
    } finally {
      client.close();
    }
  });

  it("errors are status codes: FAILED_PRECONDITION, INVALID_ARGUMENT; a failed bidi request ends its stream with the code", async () => {
    const client = bankClient(a.system.selfAddress);
    try {
      await unary((...args) => client.deposit({ accountId: "poor", amount: 5 }, ...args));
      const overdrawn = await failureOf(unary((...args) => client.withdraw({ accountId: "poor", amount: 6 }, ...args)));
      expect(overdrawn?.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(overdrawn?.details).toBe("the balance of poor is 5, below 6");
      expect((await failureOf(unary((...args) => client.deposit({ accountId: "poor", amount: 0 }, ...args))))?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect((await failureOf(unary((...args) => client.getBalance({ accountId: "" }, ...args))))?.code).toBe(grpc.status.INVALID_ARGUMENT);
      const call = client.operate();
      const replies = collect(call);
      call.write({ accountId: "poor", amount: -100 });
      expect((await failureOf(replies))?.code).toBe(grpc.status.FAILED_PRECONDITION);
      expect(await unary((...args) => client.getBalance({ accountId: "poor" }, ...args))).toEqual({ balance: 5 });
    } finally {
      client.close();
    }
  });

  it("counts calls per method and code, and tells listeners of each", async () => {
    const seen: string[] = [];
    const stop = a.system.grpc.onCallEnded((call) => seen.push(`${call.method} ${grpc.status[call.code]}`));
    const client = bankClient(a.system.selfAddress);
    const before = countOf(a, "/bank.v1.AccountService/Withdraw", grpc.status.FAILED_PRECONDITION);
    try {
      await failureOf(unary((...args) => client.withdraw({ accountId: "count", amount: 1 }, ...args)));
      await unary((...args) => client.getBalance({ accountId: "count" }, ...args));
    } finally {
      stop();
      client.close();
    }
    expect(seen).toEqual(["/bank.v1.AccountService/Withdraw FAILED_PRECONDITION", "/bank.v1.AccountService/GetBalance OK"]);
    expect(countOf(a, "/bank.v1.AccountService/Withdraw", grpc.status.FAILED_PRECONDITION)).toBe(before + 1);
    expect(a.system.grpc.methods).toContain("/bank.v1.AccountService/Operate");
    expect(a.system.grpc.services).toEqual(["bank.v1.AccountService"]);
  });

  it("reports the service in gRPC health by its full name: SERVING on an Up node, NOT_SERVING on one still joining", async () => {
    const health = new HealthClient(b.system.selfAddress);
    try {
      expect(await health.check("bank.v1.AccountService")).toBe("SERVING");
    } finally {
      health.close();
    }
    // a node whose seed is not there stays Joining: its service is NOT_SERVING and its calls UNAVAILABLE
    const joining = await nodes.start(["127.0.0.1:1"], { joinRetryInterval: 100 });
    joining.system.grpc.addService(AccountServiceService, accountService(joining.accounts));
    const joiningHealth = new HealthClient(joining.system.selfAddress);
    const client = bankClient(joining.system.selfAddress);
    try {
      expect(await joiningHealth.check("bank.v1.AccountService")).toBe("NOT_SERVING");
      const refused = await failureOf(unary((...args) => client.getBalance({ accountId: "alice" }, ...args)));
      expect(refused?.code).toBe(grpc.status.UNAVAILABLE);
      expect(refused?.metadata.get(NOT_PROCESSED)).toEqual(["1"]);
      const stream = await failureOf(collect(client.history({ accountId: "alice" })));
      expect(stream?.code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      joiningHealth.close();
      client.close();
      await joining.system.shutdown();
    }
  });

  it("refuses a second service of the same name and a definition without methods", () => {
    expect(() => a.system.grpc.addService(AccountServiceService, accountService(a.accounts))).toThrow(/already served/);
    expect(() => a.system.grpc.addService({}, {})).toThrow(/at least one method/);
  });

  it("answers UNAVAILABLE from the shutdown's service-unbind phase on", { timeout: 30_000 }, async () => {
    const leaving = await nodes.start([a.system.selfAddress]);
    await leaving.system.cluster.whenUp(15_000);
    leaving.system.grpc.addService(AccountServiceService, accountService(leaving.accounts));
    const client = bankClient(leaving.system.selfAddress);
    let duringShutdown: grpc.ServiceError | undefined;
    leaving.system.coordinatedShutdown.addTask(ShutdownPhase.shardingHandOff, "call during the shutdown", async () => {
      duringShutdown = await failureOf(unary((...args) => client.getBalance({ accountId: "alice" }, ...args)));
    });
    try {
      expect(await unary((...args) => client.getBalance({ accountId: "alice" }, ...args))).toEqual({ balance: 50 });
      await leaving.system.shutdown();
      expect(duringShutdown?.code).toBe(grpc.status.UNAVAILABLE);
    } finally {
      client.close();
    }
  });
});

function countOf(node: BankNode, method: string, code: grpc.status): number {
  return node.system.grpc.calls().find((c) => c.method === method && c.code === code)?.count ?? 0;
}
