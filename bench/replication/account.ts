// The replicated account of the replication bench: a deposit persists one event, then answers with
// the node and balance. Each node process has its own InMemoryJournal.
import { Behaviors, InMemoryJournal, ShardEnvelope, type ActorRef, type ReplicationOptions, type ShardingOptions } from "../../src/index.js";

export interface Deposited {
  readonly amount: number;
}
export interface Receipt {
  readonly node: string;
  readonly balance: number;
}
export interface Deposit {
  readonly amount: number;
  readonly replyTo: ActorRef<Receipt>;
}

export const REGION = "accounts";
export const NUM_SHARDS = 100;

export function accounts(node: string): (entityId: string) => ReturnType<typeof Behaviors.eventSourced<Deposit, Deposited, number>> {
  const journal = new InMemoryJournal();
  return (entityId) =>
    Behaviors.eventSourced<Deposit, Deposited, number>({
      entityId,
      journal,
      initialState: 0,
      onEvent: (balance, e) => balance + e.amount,
      onCommand: (_ctx, _balance, cmd) =>
        Behaviors.persisted<Deposited, number, Deposit>([{ amount: cmd.amount }], (balance) => cmd.replyTo.tell({ node, balance })),
    });
}

/** `--min-acks=-1`: no replication; else `replicas` replicas and that many acks. */
export function shardingOptions(minAcks: number, replicas: number): ShardingOptions {
  const replication: ReplicationOptions | undefined = minAcks < 0 ? undefined : { replicas, minAcks, ackTimeout: 10_000 };
  return { numShards: NUM_SHARDS, ...(replication && { replication }) };
}

export function deposit(id: string): (replyTo: ActorRef<Receipt>) => ShardEnvelope<Deposit> {
  return (replyTo) => new ShardEnvelope<Deposit>(id, { amount: 1, replyTo });
}
