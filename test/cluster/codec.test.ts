import { describe, expect, it } from "vitest";
import * as pb from "../../gen/casty/v1/cluster.js";
import {
  clockFromProto,
  clockToProto,
  digestFromProto,
  digestToProto,
  fromNodeAddress,
  memberFromProto,
  memberToProto,
  stateFromProto,
  stateToProto,
  toNodeAddress,
} from "../../src/cluster/codec.js";
import { digest } from "../../src/cluster/gossip-exchange.js";
import { uniqueKey } from "../../src/cluster/member.js";
import { type ClusterState, down, join, leave, markReachable, markSeen, markUnreachable, removeMembers } from "../../src/cluster/membership.js";
import { addr, member, node, upCluster } from "./fixtures.js";

const maxUid = 2n ** 64n - 1n;

/** Every field in use: statuses, roles, reachability rows (one emptied), seen, tombstones, big uids. */
function richState(): ClusterState {
  let state = upCluster(4);
  state = join(state, node(1), { address: "[::1]:7000", uid: maxUid, roles: ["db", "web"] }, 0).state;
  state = markUnreachable(state, node(1), addr(3));
  state = markUnreachable(state, node(2), addr(3));
  state = markUnreachable(state, node(2), addr(4));
  state = markReachable(state, node(1), addr(3));
  state = leave(state, node(2), addr(2));
  state = down(state, node(1), addr(4));
  state = removeMembers(state, new Set([uniqueKey(node(4))]), 1_700_000_000_123);
  return markSeen(markSeen(state, node(2)), node(3));
}

function wire(state: ClusterState): ClusterState {
  const bytes = pb.GossipState.encode(stateToProto(state, "bank")).finish();
  return stateFromProto(pb.GossipState.decode(bytes));
}

describe("codec", () => {
  it("round-trips a full state through protobuf bytes", () => {
    const state = richState();
    expect(state.reachability.get(uniqueKey(node(1)))).toEqual({ version: 2n, unreachable: new Set() });
    expect(state.reachability.get(uniqueKey(node(2)))?.unreachable).toEqual(new Set([uniqueKey(node(3))]));
    expect(wire(state)).toEqual(state);
  });

  it("fills NodeAddress fields and the system name", () => {
    const message = stateToProto(richState(), "bank");
    expect(message.members.map((m) => m.node)).toContainEqual({ system: "bank", host: "::1", port: 7000, uid: maxUid });
    expect(message.members.find((m) => m.node?.host === "::1")).toMatchObject({ status: pb.MemberStatus.MEMBER_STATUS_JOINING, roles: ["db", "web"] });
    expect(message.tombstones).toEqual([{ node: toNodeAddress(node(4), "bank"), removedAtMs: 1_700_000_000_123n }]);
    expect(message.version?.entries.map((e) => e.node)).toContain(uniqueKey(node(1)));
  });

  it("round-trips every member status", () => {
    for (const status of ["joining", "up", "leaving", "exiting", "down", "removed"] as const) {
      const m = member(2, status, 3, 9n, ["r"]);
      expect(memberFromProto(pb.Member.decode(pb.Member.encode(memberToProto(m, "s")).finish()))).toEqual(m);
    }
  });

  it("round-trips clocks and digests", () => {
    const state = richState();
    expect(clockFromProto(clockToProto(state.version))).toEqual(state.version);
    expect(clockFromProto(undefined).size).toBe(0);
    const bytes = pb.GossipStatus.encode(digestToProto(digest(state))).finish();
    expect(digestFromProto(pb.GossipStatus.decode(bytes))).toEqual(digest(state));
  });

  it("a digest of a 10-node steady state is small", () => {
    const bytes = pb.GossipStatus.encode(digestToProto(digest(upCluster(10)))).finish();
    expect(bytes.length).toBeLessThan(100);
  });

  it("rejects malformed messages instead of merging them", () => {
    const valid = memberToProto(member(1, "up", 1), "s");
    expect(() => memberFromProto({ ...valid, status: pb.MemberStatus.MEMBER_STATUS_UNSPECIFIED })).toThrow(/status/);
    expect(() => memberFromProto({ ...valid, node: undefined })).toThrow(/address/);
    expect(() => fromNodeAddress({ system: "s", host: "", port: 1, uid: 1n })).toThrow(/bad host/);
    expect(() => fromNodeAddress({ system: "s", host: "h", port: 0, uid: 1n })).toThrow(/bad port/);
    const twice = { ...stateToProto(upCluster(1), "s") };
    twice.members = [valid, memberToProto(member(1, "up", 1, 2n), "s")];
    expect(() => stateFromProto(twice)).toThrow(/two incarnations/);
  });

  it("sorts members by address on decode", () => {
    const message = stateToProto(upCluster(3), "s");
    message.members.reverse();
    expect(stateFromProto(message).members.map((m) => m.address)).toEqual([1, 2, 3].map(addr));
  });
});
