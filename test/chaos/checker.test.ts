// The history checker against hand-made histories: each guarantee holds on a clean one and each broken
// history is caught by the check it breaks.
import { describe, expect, it } from "vitest";
import { checkAdds, checkConvergence, checkCounter, checkQueue, checkReads, checkSingleWriter, type Write } from "./checker.js";
import { History, tally, type Outcome } from "./history.js";

/** A history on a clock that ticks one per call, so each operation completes after it was invoked. */
function history(): { h: History; op: (f: string, key: string, value: string | undefined, outcome: Outcome | undefined, result?: string[]) => void } {
  let t = 0;
  const h = new History(() => t++);
  return {
    h,
    op: (f, key, value, outcome, result) => {
      const complete = h.invoke("p", f, key, value);
      if (outcome !== undefined) complete(outcome, result === undefined ? {} : { result });
    },
  };
}

const checks = (violations: { check: string }[]) => violations.map((v) => v.check);

describe("History", () => {
  it("records invoke and completion, keeps the first completion, and tallies outcomes", async () => {
    const { h, op } = history();
    op("add", "a", "1", "ok");
    op("add", "a", "2", "fail");
    op("add", "a", "3", undefined); // never completed: unknown
    await h.record("p", "add", "a", "4", () => Promise.reject(new Error("deadline")));
    await h.record("p", "read", "a", undefined, () => Promise.resolve(["1"]));
    const complete = h.invoke("p", "add", "a", "5");
    complete("ok");
    complete("fail");
    expect(h.operations[5].outcome).toBe("ok");
    expect(h.operations[3]).toMatchObject({ outcome: "timeout", error: "deadline" });
    expect(h.operations[4].result).toEqual(["1"]);
    expect(h.operations[0].completedAt!).toBeGreaterThan(h.operations[0].invokedAt);
    expect(tally(h.operations)).toEqual({ attempted: 6, ok: 3, fail: 1, timeout: 2 });
  });
});

describe("checkAdds", () => {
  it("passes a history whose acknowledged adds are all applied once", () => {
    const { h, op } = history();
    op("add", "a", "1", "ok");
    op("add", "a", "2", "timeout");
    op("add", "a", "3", "fail");
    expect(checkAdds(h.operations, new Map([["a", ["1", "2"]]]))).toEqual([]);
    expect(checkAdds(h.operations, new Map([["a", ["1"]]]))).toEqual([]); // the unknown one may not have applied
  });

  it("finds a lost, a duplicated, a failed-but-applied and a phantom add", () => {
    const { h, op } = history();
    op("add", "a", "1", "ok");
    op("add", "a", "2", "ok");
    op("add", "a", "3", "fail");
    expect(checks(checkAdds(h.operations, new Map([["a", ["1"]]])))).toEqual(["lost"]);
    expect(checks(checkAdds(h.operations, new Map([["a", ["1", "2", "2"]]])))).toEqual(["duplicate"]);
    expect(checks(checkAdds(h.operations, new Map([["a", ["1", "2", "3"]]])))).toEqual(["failed-applied"]);
    expect(checks(checkAdds(h.operations, new Map([["a", ["1", "2", "9"]]])))).toEqual(["phantom"]);
  });
});

describe("checkReads", () => {
  it("passes reads that see every acknowledged add and keep an unknown one once seen", () => {
    const { h, op } = history();
    op("add", "a", "1", "ok");
    op("add", "a", "2", "timeout");
    op("read", "a", undefined, "ok", ["1"]);
    op("read", "a", undefined, "ok", ["1", "2"]);
    op("read", "a", undefined, "ok", ["1", "2"]);
    expect(checkReads(h.operations)).toEqual([]);
  });

  it("finds a stale read, a read that sees an element twice, a failed add seen, and an unknown add that flickers", () => {
    const stale = history();
    stale.op("add", "a", "1", "ok");
    stale.op("read", "a", undefined, "ok", []);
    expect(checks(checkReads(stale.h.operations))).toEqual(["stale-read"]);

    const twice = history();
    twice.op("add", "a", "1", "ok");
    twice.op("read", "a", undefined, "ok", ["1", "1"]);
    expect(checks(checkReads(twice.h.operations))).toEqual(["read-duplicate"]);

    const failed = history();
    failed.op("add", "a", "1", "fail");
    failed.op("read", "a", undefined, "ok", ["1"]);
    expect(checks(checkReads(failed.h.operations))).toEqual(["failed-seen"]);

    const flicker = history();
    flicker.op("add", "a", "1", "timeout");
    flicker.op("read", "a", undefined, "ok", ["1"]);
    flicker.op("read", "a", undefined, "ok", []);
    flicker.op("read", "a", undefined, "ok", ["1"]);
    expect(checks(checkReads(flicker.h.operations))).toEqual(["flicker"]);
  });
});

describe("checkCounter and checkQueue", () => {
  it("a counter between the acknowledged and the attempted increments passes; below or above fails", () => {
    const { h, op } = history();
    op("add", "c", "1", "ok");
    op("add", "c", "2", "ok");
    op("add", "c", "3", "timeout");
    op("add", "c", "4", "fail");
    expect(checkCounter(h.operations, "c", 2)).toEqual([]);
    expect(checkCounter(h.operations, "c", 3)).toEqual([]);
    expect(checkCounter(h.operations, "c", 1)).toMatchObject([{ check: "lost", count: 1 }]);
    expect(checks(checkCounter(h.operations, "c", 4))).toEqual(["duplicate"]);
  });

  it("a queue that gives every acknowledged item once passes; a lost, repeated or made-up item fails", () => {
    const { h, op } = history();
    op("add", "q", "x", "ok");
    op("add", "q", "y", "ok");
    op("add", "q", "z", "timeout");
    op("take", "q", undefined, "ok", ["x"]);
    expect(checkQueue(h.operations, "q", ["y"])).toEqual([]);
    expect(checkQueue(h.operations, "q", ["y", "z"])).toEqual([]);
    expect(checkQueue(h.operations, "q", [])).toMatchObject([{ check: "lost", count: 1 }]);
    expect(checks(checkQueue(h.operations, "q", ["y", "x"]))).toEqual(["duplicate"]);
    expect(checks(checkQueue(h.operations, "q", ["y", "w"]))).toEqual(["phantom"]);
    op("take", "q", undefined, "timeout"); // it may have taken y
    expect(checkQueue(h.operations, "q", [])).toEqual([]);
  });
});

describe("checkSingleWriter", () => {
  const w = (seqNr: number, instance: string, at: number): Write => ({ entity: "e", seqNr, instance, node: instance.split("/")[0], at });

  it("passes an entity that moved from one instance to the next", () => {
    expect(checkSingleWriter([w(1, "a/1", 1), w(2, "a/1", 2), w(3, "b/1", 5), w(4, "a/2", 9)], [{ node: "a", at: 3 }])).toEqual([]);
  });

  it("finds two instances interleaving, also after a downing decision, a fork and a gap", () => {
    const split = checkSingleWriter([w(1, "a/1", 1), w(2, "b/1", 5), w(3, "a/1", 6)], [{ node: "a", at: 3 }]);
    expect(checks(split)).toEqual(["two-writers", "two-writers"]);
    expect(split[1].detail).toMatch(/after the downing of a at 3/);
    expect(checks(checkSingleWriter([w(1, "a/1", 1), w(2, "a/1", 2), w(2, "b/1", 2)], []))).toEqual(["fork"]);
    expect(checks(checkSingleWriter([w(1, "a/1", 1), w(3, "a/1", 2)], []))).toEqual(["gap"]);
  });
});

describe("checkConvergence", () => {
  const view = (node: string, at: number, up: string[], leader = "a") => ({ node, at, up, leader });

  it("measures the time from the heal until every node agrees for good", () => {
    const views = [view("a", 10, ["a"]), view("b", 10, ["b"]), view("a", 12, ["a", "b"]), view("b", 15, ["a", "b"]), view("a", 16, ["a", "b"])];
    expect(checkConvergence(views, ["a", "b"], 10)).toEqual({ violations: [], convergedAfter: 5 });
  });

  it("fails when a node ends with other members, with another leader, or never reports", () => {
    expect(checks(checkConvergence([view("a", 11, ["a", "b"]), view("b", 11, ["b"])], ["a", "b"], 10).violations)).toEqual(["convergence"]);
    expect(checkConvergence([view("a", 11, ["a", "b"]), view("b", 11, ["a", "b"], "b")], ["a", "b"], 10).violations[0].key).toBe("leader");
    expect(checkConvergence([view("a", 11, ["a", "b"])], ["a", "b"], 10).violations[0].detail).toMatch(/no membership view from b/);
  });
});
