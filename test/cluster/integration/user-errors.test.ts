// What a user meets when joining goes wrong, and cluster events read without casts.
import { afterEach, describe, expect, it } from "vitest";
import { ClusterEvent, JoinRefusedError, JoinTimeoutError, type AnyClusterEvent } from "../../../src/index.js";
import { waitFor } from "../../support/wait.js";
import { ClusterNodes } from "./nodes.js";

const nodes = new ClusterNodes();
afterEach(() => nodes.shutdownAll());

describe("errors a user can act on", () => {
  it("whenUp times out with a JoinTimeoutError naming each seed and its last error", async () => {
    const pending = await nodes.start({ seedNodes: ["127.0.0.1:1"], joinRetryInterval: 100 });
    const error = await pending.cluster.whenUp(1500).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JoinTimeoutError);
    const timeout = error as JoinTimeoutError;
    expect(timeout.seeds).toHaveLength(1);
    expect(timeout.seeds[0].seed).toBe("127.0.0.1:1");
    expect(timeout.seeds[0].lastAnswer).toBeTruthy();
    expect(timeout.message).toMatch(/was not Up within 1500 ms; seeds tried: 127\.0\.0\.1:1 \(.+\)\. Check that the seed nodes run/);
  });

  it("a seed of another cluster: whenUp rejects at once with a JoinRefusedError carrying the seed's reason", async () => {
    const a = await nodes.start();
    await a.cluster.whenUp(2000);
    const stranger = await nodes.start({ name: "other", seedNodes: [a.selfAddress], joinRetryInterval: 100 });
    const error = await stranger.cluster.whenUp(10_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JoinRefusedError);
    const refused = error as JoinRefusedError;
    expect(refused.seed).toBe(a.selfAddress);
    expect(refused.reason).toBe("wrong-system");
    expect(refused.message).toMatch(/refused the join: this cluster is "test", not "other"; give every node the same `name`/);
  });
});

describe("cluster events", () => {
  it("carry typed fields: member and address on member events, leader on LeaderChanged", async () => {
    const a = await nodes.start();
    const seen: string[] = [];
    a.cluster.subscribe(ClusterEvent, (event: AnyClusterEvent) => {
      switch (event.type) {
        case "LeaderChanged":
          seen.push(`leader ${event.leader ?? "none"}`);
          break;
        case "MemberRemoved":
          seen.push(`removed ${event.address} from ${event.previousStatus}`);
          break;
        default:
          seen.push(`${event.type} ${event.member.address} ${event.member.status}`);
      }
    });
    await a.cluster.whenUp(2000);
    await waitFor(() => seen.length >= 2, 2000, "the first events");
    expect(seen).toContain(`MemberUp ${a.selfAddress} up`);
    expect(seen).toContain(`leader ${a.selfAddress}`);
  });
});
