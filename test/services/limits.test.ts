// A service loaded at run time with @grpc/proto-loader, whose handlers reach an actor that never
// answers: deadlines, the client's cancellation cancelling the ask or the stream relay, and handler
// failures (throws, rejections, a bidi loop that fails), none of which escapes to the process.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalBehaviors } from "../../src/actor/behavior.js";
import { refuse, type ActorRef, type UntypedHandler } from "../../src/index.js";
import { escapes } from "../support/escapes.js";
import { waitFor } from "../support/wait.js";
import { bankClient, BankNodes, collect, failureOf, unary, type BankNode } from "./fixtures/bank.js";

const escaped = escapes();
const nodes = new BankNodes();
let node: BankNode;
/** Requests the silent actor got (it never answers). */
const received: string[] = [];

const PROTO = join(import.meta.dirname, "../../examples/bank-service/proto/bank/v1/bank.proto");
const definition = protoLoader.loadSync(PROTO, { longs: Number, defaults: true })["bank.v1.AccountService"] as grpc.ServiceDefinition;

interface BankRequest {
  readonly accountId: string;
  readonly amount: number;
}
const requestOf = (call: { readonly request: unknown }): BankRequest => call.request as BankRequest;

type Silent = { readonly id: string; readonly replyTo: ActorRef<unknown> };

beforeAll(async () => {
  [node] = await nodes.cluster(1);
  const silent = node.system.spawn(
    LocalBehaviors.receive<Silent>((_ctx, message) => {
      received.push(message.id);
      return LocalBehaviors.same();
    }),
    "silent",
  );
  const implementation: Record<string, UntypedHandler> = {
    // keyed by the method's name in the .proto, as proto-loader lists it
    GetBalance: (call, ctx) => ctx.ask(silent, (replyTo: ActorRef<unknown>) => ({ id: requestOf(call).accountId, replyTo })),
    // and by its camel-case originalName
    deposit: () => {
      throw new Error("the handler broke");
    },
    withdraw: (call) =>
      requestOf(call).amount > 100
        ? // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a careless handler does
          Promise.reject("not an Error")
        : Promise.reject(Object.assign(new Error("no such account"), { code: grpc.status.NOT_FOUND })),
    History: (call, ctx) => ctx.streamReplies(silent, (replyTo: ActorRef<unknown>) => ({ id: requestOf(call).accountId, replyTo })),
    Operate: async (call) => {
      for await (const request of call as AsyncIterable<{ accountId: string }>) {
        if (request.accountId === "bad") throw refuse(grpc.status.INVALID_ARGUMENT, "bad account");
        call.write({ accountId: request.accountId, balance: 1 });
      }
    },
    // DepositBatch has no handler
  };
  node.system.grpc.addService(definition, implementation);
}, 30_000);

afterAll(async () => {
  await nodes.shutdownAll();
  escaped.assertNone();
}, 30_000);

const METHOD = "/bank.v1.AccountService/";
const countOf = (method: string, code: grpc.status): number =>
  node.system.grpc.calls().find((c) => c.method === METHOD + method && c.code === code)?.count ?? 0;

describe("own gRPC services: deadlines, cancellation, failures", () => {
  it("the call's deadline is the ask timeout: DEADLINE_EXCEEDED, and the ask is gone", async () => {
    const client = bankClient(node.system.selfAddress);
    try {
      const failed = await failureOf(unary((...args) => client.getBalance({ accountId: "slow" }, ...args), 300));
      expect(failed?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      expect(received).toContain("slow");
      await waitFor(() => countOf("GetBalance", grpc.status.DEADLINE_EXCEEDED) === 1, 5000, "the call counted as DEADLINE_EXCEEDED");
      expect(node.system.asks.pendingCount).toBe(0);
    } finally {
      client.close();
    }
  });

  it("the client's cancellation cancels the ask at once (long before its 30 s deadline)", async () => {
    const client = bankClient(node.system.selfAddress);
    try {
      const call = client.getBalance({ accountId: "cancel-me" }, new grpc.Metadata(), { deadline: Date.now() + 30_000 }, () => undefined);
      await waitFor(() => received.includes("cancel-me"), 5000, "the request at the actor");
      expect(node.system.asks.pendingCount).toBe(1);
      const cancelled = countOf("GetBalance", grpc.status.CANCELLED);
      call.cancel();
      await waitFor(() => countOf("GetBalance", grpc.status.CANCELLED) === cancelled + 1, 5000, "the call counted as CANCELLED");
      expect(node.system.asks.pendingCount).toBe(0);
    } finally {
      client.close();
    }
  });

  it("a streamed reply relay ends with its call: DEADLINE_EXCEEDED at the deadline, stopped when the client cancels", async () => {
    const client = bankClient(node.system.selfAddress);
    try {
      const timedOut = await failureOf(collect(client.history({ accountId: "stream-slow" }, { deadline: Date.now() + 300 })));
      expect(timedOut?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      const stream = client.history({ accountId: "stream-cancel" });
      stream.on("error", () => undefined);
      await waitFor(() => received.includes("stream-cancel"), 5000, "the stream request at the actor");
      const relays = (): number => relayCount(node);
      expect(relays()).toBe(1);
      stream.cancel();
      await waitFor(() => countOf("History", grpc.status.CANCELLED) === 1 && relays() === 0, 5000, "the relay stopped");
    } finally {
      client.close();
    }
  });

  it("failures are status codes and the node stays whole: a throw or a rejection with a non-Error is INTERNAL, a code is kept, a missing handler is UNIMPLEMENTED", async () => {
    const client = bankClient(node.system.selfAddress);
    try {
      const thrown = await failureOf(unary((...args) => client.deposit({ accountId: "x", amount: 1 }, ...args)));
      expect([thrown?.code, thrown?.details]).toEqual([grpc.status.INTERNAL, "the handler broke"]);
      expect((await failureOf(unary((...args) => client.withdraw({ accountId: "x", amount: 500 }, ...args))))?.code).toBe(grpc.status.INTERNAL);
      expect((await failureOf(unary((...args) => client.withdraw({ accountId: "x", amount: 5 }, ...args))))?.code).toBe(grpc.status.NOT_FOUND);
      const batch = await new Promise<grpc.ServiceError | null>((resolve) => client.depositBatch((error) => resolve(error)).end());
      expect(batch?.code).toBe(grpc.status.UNIMPLEMENTED);

      const call = client.operate();
      const replies = collect(call);
      call.write({ accountId: "good", amount: 1 });
      call.write({ accountId: "bad", amount: 1 });
      const failed = await failureOf(replies);
      expect(failed?.code).toBe(grpc.status.INVALID_ARGUMENT);

      const ok = client.operate();
      const okReplies = collect(ok);
      ok.write({ accountId: "good", amount: 1 });
      ok.end();
      expect(await okReplies).toEqual([{ accountId: "good", balance: 1 }]);
    } finally {
      client.close();
    }
  });
});

/** Stream relays alive on the node (children of /system named grpc-stream-*). */
function relayCount(bank: BankNode): number {
  let count = 0;
  for (let i = 0; i < 10; i++) if (bank.system.lookup(`/system/grpc-stream-${i.toString(36)}`) !== undefined) count++;
  return count;
}
