import type { Member, MemberStatus } from "./member.js";
import type { ClusterEventData } from "./membership-events.js";

/** A member as the public API shows it. */
export interface MemberInfo {
  readonly address: string;
  readonly status: MemberStatus;
  readonly roles: readonly string[];
  /** Order in which members became Up (1 for the first, lower = older); 0 while not yet Up. */
  readonly upNumber: number;
}

export function memberInfo(member: Member): MemberInfo {
  return { address: member.address, status: member.status, roles: member.roles, upNumber: member.upNumber };
}

/** Base class of the cluster events: subscribe to it to get them all. */
export abstract class ClusterEvent {}

abstract class MemberEvent extends ClusterEvent {
  constructor(readonly member: MemberInfo) {
    super();
  }
  get address(): string {
    return this.member.address;
  }
}

export class MemberUp extends MemberEvent {}
/** The member is leaving (gracefully). */
export class MemberLeft extends MemberEvent {}
export class MemberExited extends MemberEvent {}
export class MemberDowned extends MemberEvent {}
export class MemberRemoved extends MemberEvent {
  constructor(
    member: MemberInfo,
    readonly previousStatus: MemberStatus,
  ) {
    super(member);
  }
}
export class UnreachableMember extends MemberEvent {}
export class ReachableMember extends MemberEvent {}
export class LeaderChanged extends ClusterEvent {
  constructor(readonly address: string | undefined) {
    super();
  }
}

export function toEvent(data: ClusterEventData): ClusterEvent {
  switch (data.type) {
    case "MemberUp":
      return new MemberUp(memberInfo(data.member));
    case "MemberLeft":
      return new MemberLeft(memberInfo(data.member));
    case "MemberExited":
      return new MemberExited(memberInfo(data.member));
    case "MemberDowned":
      return new MemberDowned(memberInfo(data.member));
    case "MemberRemoved":
      return new MemberRemoved(memberInfo({ ...data.member, status: "removed" }), data.previousStatus);
    case "UnreachableMember":
      return new UnreachableMember(memberInfo(data.member));
    case "ReachableMember":
      return new ReachableMember(memberInfo(data.member));
    case "LeaderChanged":
      return new LeaderChanged(data.address);
  }
}
