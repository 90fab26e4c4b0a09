import * as pb from "../../gen/casty/v1/sharding.js";
import { parseNodeKey } from "../remote/address.js";
import type { Serialization } from "../serialization/index.js";
import { allocationAt, type ShardAllocation } from "./allocation.js";

// Coordination messages are the ts-proto types of sharding.proto tagged with `$type`, so they travel
// as their own Protobuf bytes under their full type name.
export const TYPE = {
  register: "casty.v1.RegisterRegion",
  getHome: "casty.v1.GetShardHome",
  homes: "casty.v1.ShardHomes",
  handOff: "casty.v1.HandOff",
  stopped: "casty.v1.ShardStopped",
  gracefulShutdown: "casty.v1.GracefulShutdown",
  progress: "casty.v1.ReplicaProgress",
} as const;

export type Coordination =
  | (pb.RegisterRegion & { $type: typeof TYPE.register })
  | (pb.GetShardHome & { $type: typeof TYPE.getHome })
  | (pb.ShardHomes & { $type: typeof TYPE.homes })
  | (pb.HandOff & { $type: typeof TYPE.handOff })
  | (pb.ShardStopped & { $type: typeof TYPE.stopped })
  | (pb.GracefulShutdown & { $type: typeof TYPE.gracefulShutdown })
  | (pb.ReplicaProgress & { $type: typeof TYPE.progress });

export function isCoordination(message: unknown): message is Coordination {
  const type = (message as { $type?: unknown } | null)?.$type;
  return typeof type === "string" && type.startsWith("casty.v1.") && Object.values(TYPE).includes(type as never);
}

/**
 * Why a coordination message from another node cannot be acted on (a node field that is not a
 * `host:port` address), or undefined when it can: the region and coordinator reply to those nodes.
 */
export function coordinationProblem(message: Coordination): string | undefined {
  const nodes: string[] = [];
  const homes = (list: readonly pb.ShardHome[]) => {
    for (const home of list) {
      if (home.node !== "") nodes.push(home.node);
      for (const replica of home.replicas) nodes.push(replica.node);
    }
  };
  switch (message.$type) {
    case TYPE.register:
      nodes.push(message.node);
      homes(message.owned);
      break;
    case TYPE.homes:
      homes(message.homes);
      break;
    case TYPE.getHome:
    case TYPE.stopped:
    case TYPE.gracefulShutdown:
    case TYPE.progress:
      nodes.push(message.node);
      break;
    case TYPE.handOff:
      break;
  }
  for (const node of nodes) {
    try {
      parseNodeKey(node);
    } catch (error) {
      return `${message.$type}: ${(error as Error).message}`;
    }
  }
  return undefined;
}

export function registerCoordination(serialization: Serialization): void {
  serialization.registerProtobuf(TYPE.register, pb.RegisterRegion);
  serialization.registerProtobuf(TYPE.getHome, pb.GetShardHome);
  serialization.registerProtobuf(TYPE.homes, pb.ShardHomes);
  serialization.registerProtobuf(TYPE.handOff, pb.HandOff);
  serialization.registerProtobuf(TYPE.stopped, pb.ShardStopped);
  serialization.registerProtobuf(TYPE.gracefulShutdown, pb.GracefulShutdown);
  serialization.registerProtobuf(TYPE.progress, pb.ReplicaProgress);
}

/** The wire form of a shard's allocation; `undefined` is an unallocated shard (empty node). */
export function wireHome(shardId: number, allocation: ShardAllocation | undefined, epoch = allocation?.primary.epoch ?? 0n): pb.ShardHome {
  if (allocation === undefined) return { shardId, node: "", nodeUid: 0n, epoch, replicas: [] };
  const { node } = allocation.primary;
  const replicas = allocation.replicas.map((r) => ({ node: r.address, nodeUid: r.uid }));
  return { shardId, node: node.address, nodeUid: node.uid, epoch, replicas };
}

/** The allocation a wire home announces, undefined for an unallocated shard. */
export function allocationOf(home: pb.ShardHome): ShardAllocation | undefined {
  if (home.node === "") return undefined;
  const replicas = home.replicas.length === 0 ? undefined : home.replicas.map((r) => ({ address: r.node, uid: r.nodeUid }));
  return allocationAt({ address: home.node, uid: home.nodeUid }, home.epoch, replicas);
}
