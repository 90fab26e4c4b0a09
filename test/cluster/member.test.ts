import { describe, expect, it } from "vitest";
import { compareAddresses, isOlderThan, parseUniqueKey, statusPriority, uniqueKey } from "../../src/cluster/member.js";
import { member } from "./fixtures.js";

describe("member", () => {
  it("orders addresses by host, then numerically by port", () => {
    expect(compareAddresses("a:9", "a:10")).toBeLessThan(0);
    expect(compareAddresses("b:1", "a:10")).toBeGreaterThan(0);
    expect(compareAddresses("a:10", "a:10")).toBe(0);
    expect(["b:1", "a:10", "a:9"].sort(compareAddresses)).toEqual(["a:9", "a:10", "b:1"]);
    expect(compareAddresses("[::1]:9", "[::1]:10")).toBeLessThan(0);
    expect(() => compareAddresses("nohost", "a:1")).toThrow();
  });

  it("unique keys round-trip", () => {
    const key = uniqueKey({ address: "[::1]:1", uid: 18446744073709551615n });
    expect(key).toBe("[::1]:1#18446744073709551615");
    expect(parseUniqueKey(key)).toEqual({ address: "[::1]:1", uid: 18446744073709551615n });
    expect(() => parseUniqueKey("h:1")).toThrow();
  });

  it("ranks statuses removed > down > exiting > leaving > up > joining", () => {
    const order = (["joining", "up", "leaving", "exiting", "down", "removed"] as const).map(statusPriority);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(order).size).toBe(6);
  });

  it("older means lower upNumber, not-yet-Up is youngest, address breaks ties", () => {
    expect(isOlderThan(member(5, "up", 1), member(1, "up", 2))).toBe(true);
    expect(isOlderThan(member(1, "up", 2), member(5, "up", 1))).toBe(false);
    expect(isOlderThan(member(9, "up", 7), member(1, "joining", 0))).toBe(true);
    expect(isOlderThan(member(1, "joining"), member(2, "joining"))).toBe(true);
  });
});
