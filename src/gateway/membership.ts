import type { ClusterStateSnapshot } from "../cluster/cluster.js";
import {
  LeaderChanged,
  MemberDowned,
  MemberExited,
  MemberLeft,
  MemberRemoved,
  MemberUp,
  ReachableMember,
  UnreachableMember,
  type ClusterEvent,
  type MemberInfo,
} from "../cluster/events.js";
import { MembershipEventType, type ClusterState, type GatewayMember, type MembershipEvent } from "../../gen/casty/v1/gateway.js";
import { wireStatus } from "./member-status.js";

export function wireMember(member: MemberInfo): GatewayMember {
  return { address: member.address, status: wireStatus(member.status), roles: [...member.roles] };
}

export function wireState(state: ClusterStateSnapshot, leader: string | undefined): ClusterState {
  return { members: state.members.map(wireMember), leader: leader ?? "", unreachable: [...state.unreachable] };
}

const memberEvents: readonly [abstract new (...args: never[]) => ClusterEvent & { readonly member: MemberInfo }, MembershipEventType][] = [
  [MemberUp, MembershipEventType.MEMBERSHIP_EVENT_TYPE_MEMBER_UP],
  [MemberLeft, MembershipEventType.MEMBERSHIP_EVENT_TYPE_MEMBER_LEFT],
  [MemberExited, MembershipEventType.MEMBERSHIP_EVENT_TYPE_MEMBER_EXITED],
  [MemberDowned, MembershipEventType.MEMBERSHIP_EVENT_TYPE_MEMBER_DOWNED],
  [MemberRemoved, MembershipEventType.MEMBERSHIP_EVENT_TYPE_MEMBER_REMOVED],
  [UnreachableMember, MembershipEventType.MEMBERSHIP_EVENT_TYPE_UNREACHABLE_MEMBER],
  [ReachableMember, MembershipEventType.MEMBERSHIP_EVENT_TYPE_REACHABLE_MEMBER],
];

/** The wire form of a cluster event; undefined for an event kind the protocol does not name. */
export function wireEvent(event: ClusterEvent): MembershipEvent | undefined {
  if (event instanceof LeaderChanged) return { type: MembershipEventType.MEMBERSHIP_EVENT_TYPE_LEADER_CHANGED, leader: event.address ?? "" };
  for (const [eventClass, type] of memberEvents) {
    if (event instanceof eventClass) return { type, member: wireMember(event.member), leader: "" };
  }
  return undefined;
}
