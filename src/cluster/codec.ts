// Conversion between the membership values and their cluster.proto messages. Decoding validates what
// the types cannot express (missing addresses, unknown statuses) and throws: a peer sending such a
// message is broken, and its gossip must be dropped rather than merged.

import type { NodeAddress } from "../../gen/casty/v1/address.js";
import * as pb from "../../gen/casty/v1/cluster.js";
import type { GossipDigest } from "./gossip-exchange.js";
import { nodeKey, parseNodeKey } from "../remote/address.js";
import { type Member, type MemberStatus, type UniqueAddress, compareAddresses, parseUniqueKey, uniqueKey } from "./member.js";
import type { ClusterState } from "./membership.js";
import type { ObserverRow } from "./reachability.js";
import type { VectorClock } from "./vector-clock.js";

export function toNodeAddress(node: UniqueAddress, system: string): NodeAddress {
  const { host, port } = parseNodeKey(node.address);
  return { system, host, port, uid: node.uid };
}

export function fromNodeAddress(node: NodeAddress | undefined): UniqueAddress {
  if (!node) throw new Error("missing node address");
  return { address: nodeKey(node.host, node.port), uid: node.uid };
}

const statusToProto: Readonly<Record<MemberStatus, pb.MemberStatus>> = {
  joining: pb.MemberStatus.MEMBER_STATUS_JOINING,
  up: pb.MemberStatus.MEMBER_STATUS_UP,
  leaving: pb.MemberStatus.MEMBER_STATUS_LEAVING,
  exiting: pb.MemberStatus.MEMBER_STATUS_EXITING,
  down: pb.MemberStatus.MEMBER_STATUS_DOWN,
  removed: pb.MemberStatus.MEMBER_STATUS_REMOVED,
};

const statusFromProto = new Map(Object.entries(statusToProto).map(([k, v]) => [v, k as MemberStatus]));

export function memberToProto(member: Member, system: string): pb.Member {
  return { node: toNodeAddress(member, system), status: statusToProto[member.status], roles: [...member.roles], upNumber: member.upNumber };
}

export function memberFromProto(message: pb.Member): Member {
  const status = statusFromProto.get(message.status);
  if (status === undefined) throw new Error(`invalid member status ${message.status}`);
  return { ...fromNodeAddress(message.node), status, roles: [...message.roles], upNumber: message.upNumber };
}

export function clockToProto(clock: VectorClock): pb.VectorClock {
  return { entries: [...clock].map(([node, counter]) => ({ node, counter })) };
}

export function clockFromProto(message: pb.VectorClock | undefined): VectorClock {
  return new Map((message?.entries ?? []).map((e) => [e.node, e.counter]));
}

const keyToProto = (key: string, system: string) => toNodeAddress(parseUniqueKey(key), system);
const keyFromProto = (node: NodeAddress | undefined) => uniqueKey(fromNodeAddress(node));

/** `system` fills the NodeAddress.system of every address (the state itself is per system). */
export function stateToProto(state: ClusterState, system: string): pb.GossipState {
  return {
    members: state.members.map((m) => memberToProto(m, system)),
    reachability: [...state.reachability].map(([observer, row]) => ({
      observer: keyToProto(observer, system),
      version: row.version,
      unreachable: [...row.unreachable].map((k) => keyToProto(k, system)),
    })),
    seen: [...state.seen].map((k) => keyToProto(k, system)),
    version: clockToProto(state.version),
    tombstones: [...state.tombstones].map(([k, at]) => ({ node: keyToProto(k, system), removedAtMs: BigInt(Math.round(at)) })),
  };
}

export function stateFromProto(message: pb.GossipState): ClusterState {
  const members = message.members.map(memberFromProto).sort((a, b) => compareAddresses(a.address, b.address));
  if (new Set(members.map((m) => m.address)).size !== members.length) throw new Error("two incarnations at one address");
  return {
    members,
    reachability: new Map(
      message.reachability.map((r): [string, ObserverRow] => [
        keyFromProto(r.observer),
        { version: r.version, unreachable: new Set(r.unreachable.map(keyFromProto)) },
      ]),
    ),
    seen: new Set(message.seen.map(keyFromProto)),
    version: clockFromProto(message.version),
    tombstones: new Map(message.tombstones.map((t) => [keyFromProto(t.node), Number(t.removedAtMs)])),
  };
}

export function digestToProto(digest: GossipDigest): pb.GossipStatus {
  return { version: clockToProto(digest.version), seenDigest: digest.seenHash };
}

export function digestFromProto(message: pb.GossipStatus): GossipDigest {
  return { version: clockFromProto(message.version), seenHash: message.seenDigest };
}
