// bank.v1.AccountService on the account entities: each handler asks the account by its id, with the
// call's deadline as the ask timeout; a failed ask answers its status code (DEADLINE_EXCEEDED, …).
import * as grpc from "@grpc/grpc-js";
import { refuse, type ActorRef, type CallContext, type ServiceImplementation } from "../../src/index.js";
import type { AccountServiceService } from "./gen/bank/v1/bank.js";
import type { Accounts, Operation, WithdrawReply } from "./account.js";

function positive(amount: number): number {
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw refuse(grpc.status.INVALID_ARGUMENT, `amount must be a positive whole number of cents, got ${amount}`);
  return amount;
}

export function accountService(accounts: Accounts): ServiceImplementation<typeof AccountServiceService> {
  const deposit = (ctx: CallContext, accountId: string, amount: number): Promise<number> =>
    ctx.ask(accounts, accountId, (replyTo: ActorRef<number>) => ({ kind: "deposit", amount: positive(amount), replyTo }));
  const withdraw = async (ctx: CallContext, accountId: string, amount: number): Promise<number> => {
    const reply = await ctx.ask(accounts, accountId, (replyTo: ActorRef<WithdrawReply>) => ({ kind: "withdraw", amount: positive(amount), replyTo }));
    if (!reply.ok) throw refuse(grpc.status.FAILED_PRECONDITION, `the balance of ${accountId} is ${reply.balance}, below ${amount}`);
    return reply.balance;
  };
  return {
    getBalance: async ({ request }, ctx) => ({
      balance: await ctx.ask(accounts, request.accountId, (replyTo: ActorRef<number>) => ({ kind: "getBalance", replyTo })),
    }),
    deposit: async ({ request }, ctx) => ({ balance: await deposit(ctx, request.accountId, request.amount) }),
    withdraw: async ({ request }, ctx) => ({ balance: await withdraw(ctx, request.accountId, request.amount) }),
    history: (call, ctx) => ctx.streamReplies(accounts, call.request.accountId, (replyTo: ActorRef<Operation | null>) => ({ kind: "history", replyTo })),
    depositBatch: async (call, ctx) => {
      let count = 0;
      let total = 0;
      for await (const { accountId, amount } of call) {
        await deposit(ctx, accountId, amount);
        count++;
        total += amount;
      }
      return { count, total };
    },
    operate: async (call, ctx) => {
      for await (const { accountId, amount } of call) {
        const balance = amount >= 0 ? await deposit(ctx, accountId, amount) : await withdraw(ctx, accountId, -amount);
        call.write({ accountId, balance });
      }
    },
  };
}
