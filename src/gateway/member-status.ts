import type { MemberStatus } from "../cluster/member.js";
import { MemberStatus as WireStatus } from "../../gen/casty/v1/cluster.js";

const toWire: Readonly<Record<MemberStatus, WireStatus>> = {
  joining: WireStatus.MEMBER_STATUS_JOINING,
  up: WireStatus.MEMBER_STATUS_UP,
  leaving: WireStatus.MEMBER_STATUS_LEAVING,
  exiting: WireStatus.MEMBER_STATUS_EXITING,
  down: WireStatus.MEMBER_STATUS_DOWN,
  removed: WireStatus.MEMBER_STATUS_REMOVED,
};

const fromWire = new Map<WireStatus, MemberStatus>(Object.entries(toWire).map(([status, wire]) => [wire, status as MemberStatus]));

export function wireStatus(status: MemberStatus): WireStatus {
  return toWire[status];
}

/** The status a wire value names; "removed" for one this version does not know. */
export function memberStatusOf(wire: WireStatus): MemberStatus {
  return fromWire.get(wire) ?? "removed";
}
