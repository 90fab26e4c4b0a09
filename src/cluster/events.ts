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

/** Base class of the cluster events: subscribe to it to get them all (as `AnyClusterEvent`). */
export abstract class ClusterEvent {
  /** The event's class name, a discriminant: `switch (event.type)` narrows an `AnyClusterEvent`. */
  abstract readonly type: AnyClusterEvent["type"];
}

abstract class MemberEvent extends ClusterEvent {
  constructor(readonly member: MemberInfo) {
    super();
  }
  get address(): string {
    return this.member.address;
  }
}

export class MemberUp extends MemberEvent {
  readonly type = "MemberUp";
}
/** The member is leaving (gracefully). */
export class MemberLeft extends MemberEvent {
  readonly type = "MemberLeft";
}
export class MemberExited extends MemberEvent {
  readonly type = "MemberExited";
}
export class MemberDowned extends MemberEvent {
  readonly type = "MemberDowned";
}
export class MemberRemoved extends MemberEvent {
  readonly type = "MemberRemoved";
  constructor(
    member: MemberInfo,
    readonly previousStatus: MemberStatus,
  ) {
    super(member);
  }
}
export class UnreachableMember extends MemberEvent {
  readonly type = "UnreachableMember";
}
export class ReachableMember extends MemberEvent {
  readonly type = "ReachableMember";
}
export class LeaderChanged extends ClusterEvent {
  readonly type = "LeaderChanged";
  constructor(
    /** The new leader's address, or undefined when there is none. */
    readonly leader: string | undefined,
  ) {
    super();
  }
  /** Same as `leader`. */
  get address(): string | undefined {
    return this.leader;
  }
}

/** Every cluster event, as a union narrowed by `type` (what `subscribe(ClusterEvent, …)` hands out). */
export type AnyClusterEvent = MemberUp | MemberLeft | MemberExited | MemberDowned | MemberRemoved | UnreachableMember | ReachableMember | LeaderChanged;

export function toEvent(data: ClusterEventData): AnyClusterEvent {
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
