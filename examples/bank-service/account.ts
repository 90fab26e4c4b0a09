// A bank account as an event-sourced sharded entity: its balance and its operations, kept in the
// journal so that an account whose node leaves recovers on the node its shard moves to.
import { Behaviors, type ActorRef, type Behavior, type EventJournal, type ShardEnvelope } from "../../src/index.js";

/** One operation: positive for a deposit, negative for a withdrawal, with the balance after it. */
export interface Operation {
  readonly amount: number;
  readonly balance: number;
}

export type WithdrawReply = { readonly ok: true; readonly balance: number } | { readonly ok: false; readonly balance: number };

export type AccountCommand =
  | { readonly kind: "getBalance"; readonly replyTo: ActorRef<number> }
  | { readonly kind: "deposit"; readonly amount: number; readonly replyTo: ActorRef<number> }
  | { readonly kind: "withdraw"; readonly amount: number; readonly replyTo: ActorRef<WithdrawReply> }
  /** Each operation, oldest first, then null. */
  | { readonly kind: "history"; readonly replyTo: ActorRef<Operation | null> };

type AccountEvent = { readonly kind: "changed"; readonly amount: number };

interface AccountState {
  readonly balance: number;
  readonly operations: readonly Operation[];
}

export type Accounts = ActorRef<ShardEnvelope<AccountCommand>>;

export function account(journal: EventJournal): (entityId: string) => Behavior<AccountCommand> {
  return (entityId) =>
    Behaviors.eventSourced<AccountCommand, AccountEvent, AccountState>({
      entityId,
      journal,
      initialState: { balance: 0, operations: [] },
      onEvent: (state, event) => {
        const balance = state.balance + event.amount;
        return { balance, operations: [...state.operations, { amount: event.amount, balance }] };
      },
      onCommand: (_ctx, state, command) => {
        switch (command.kind) {
          case "getBalance":
            command.replyTo.tell(state.balance);
            return Behaviors.same();
          case "deposit":
            return Behaviors.persisted([{ kind: "changed", amount: command.amount }], (next) => {
              command.replyTo.tell(next.balance);
              return Behaviors.same();
            });
          case "withdraw":
            if (command.amount > state.balance) {
              command.replyTo.tell({ ok: false, balance: state.balance });
              return Behaviors.same();
            }
            return Behaviors.persisted([{ kind: "changed", amount: -command.amount }], (next) => {
              command.replyTo.tell({ ok: true, balance: next.balance });
              return Behaviors.same();
            });
          case "history":
            for (const operation of state.operations) command.replyTo.tell(operation);
            command.replyTo.tell(null);
            return Behaviors.same();
        }
      },
    });
}
