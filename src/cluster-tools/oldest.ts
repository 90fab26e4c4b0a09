import type { MemberInfo } from "../cluster/events.js";
import { compareAddresses } from "../cluster/member.js";

/** The oldest Up member (lowest upNumber, then lowest address) with `role`, if any. */
export function oldestUp(members: readonly MemberInfo[], role: string | undefined): string | undefined {
  let oldest: MemberInfo | undefined;
  for (const member of members) {
    if (member.status !== "up" || member.upNumber === 0 || (role !== undefined && !member.roles.includes(role))) continue;
    if (
      oldest === undefined ||
      member.upNumber < oldest.upNumber ||
      (member.upNumber === oldest.upNumber && compareAddresses(member.address, oldest.address) < 0)
    ) {
      oldest = member;
    }
  }
  return oldest?.address;
}
