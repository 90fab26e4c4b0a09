// Every GatewayService RPC and every status code, through ClusterClient and through a raw stub.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MembershipEventType, type MembershipEvent } from "../../gen/casty/v1/gateway.js";
import { Value } from "../../gen/casty/v1/value.js";
import {
  AskTimeoutError,
  ClusterClient,
  ClusterClientError,
  ShutdownPhase,
  type ActorRef,
  type ClusteredActorSystem,
  type ClusterMembers,
} from "../../src/index.js";
import { distributed } from "../../src/distributed/distributed.js";
import { escapes } from "../support/escapes.js";
import { sleep, waitFor } from "../support/wait.js";
import { GatewayNodes } from "./fixtures/cluster.js";
import { GREETER_PROTO, PROTO_DIR } from "./fixtures/entities.js";
import { call, stub } from "./fixtures/stub.js";

const escaped = escapes();
const nodes = new GatewayNodes();
let cluster: ClusteredActorSystem[];
let client: ClusterClient;

beforeAll(async () => {
  cluster = await nodes.cluster(2, { maxMessageSize: 64 * 1024 });
  client = await ClusterClient.connect({ contactPoints: [cluster[0].selfAddress], timeout: 3000 });
  client.serialization.registerProtoFile(GREETER_PROTO, { includeDirs: [PROTO_DIR] });
}, 30_000);

afterAll(async () => {
  client.close();
  await nodes.shutdownAll();
  escaped.assertNone();
}, 30_000);

const plain = (value: unknown) => ({ typeUrl: "type.googleapis.com/casty.v1.Value", value: Buffer.from(Value.encode(value as Value).finish()) });

describe("tell and ask", () => {
  it("tells and asks a sharded entity with plain data", async () => {
    await client.tell("accounts", "alice", { kind: "deposit", amount: 10 });
    const after = await client.ask<number>("accounts", "alice", (replyTo) => ({ kind: "deposit", amount: 5, replyTo }));
    expect(after).toBe(15);
    expect(await client.ask<number>("accounts", "alice", (replyTo) => ({ kind: "getBalance", replyTo }))).toBe(15);
  });

  it("asks with a Protobuf message whose reply_to the gateway fills in", async () => {
    const greeting = await client.ask<{ text: string; count: number }>("greeters", "g1", () => ({ $type: "greeter.v1.Greet", name: "Ada" }));
    expect(greeting).toMatchObject({ $type: "greeter.v1.Greeting", text: "Hello, Ada", count: 1 });
    await client.tell("greeters", "g1", { $type: "greeter.v1.Greet", name: "Bob" });
    const second = await client.ask<{ count: number }>("greeters", "g1", () => ({ $type: "greeter.v1.Greet", name: "Cy" }));
    expect(second.count).toBe(3);
  });

  it("reaches entities on every node through one contact point", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `spread-${i}`);
    const balances = await Promise.all(ids.map((id, i) => client.ask<number>("accounts", id, (replyTo) => ({ kind: "deposit", amount: i, replyTo }))));
    expect(balances).toEqual(ids.map((_, i) => i));
  });
});

describe("membership", () => {
  it("answers the cluster state", async () => {
    const state = await client.members();
    expect(state.members.map((m) => m.address).sort()).toEqual(cluster.map((s) => s.selfAddress).sort());
    expect(state.members.every((m) => m.status === "up")).toBe(true);
    expect(state.leader).toBe(cluster[0].cluster.leader);
    expect(state.unreachable).toEqual([]);
  });

  it("streams the current state first, then events with the state after them", async () => {
    const seen: [ClusterMembers, MembershipEvent | undefined][] = [];
    const stop = client.watchMembers((state, event) => seen.push([state, event]));
    try {
      await waitFor(() => seen.length > 0, 5000, "the first membership response");
      expect(seen[0][1]).toBeUndefined();
      expect(seen[0][0].members).toHaveLength(2);
      const third = await nodes.start([cluster[0].selfAddress], { maxMessageSize: 64 * 1024 });
      await waitFor(
        () => seen.some(([, e]) => e?.type === MembershipEventType.MEMBERSHIP_EVENT_TYPE_MEMBER_UP && e.member?.address === third.selfAddress),
        15_000,
        "MemberUp of the third node",
      );
      const up = seen.find(([, e]) => e?.type === MembershipEventType.MEMBERSHIP_EVENT_TYPE_MEMBER_UP && e.member?.address === third.selfAddress)!;
      expect(up[0].members.map((m) => m.address)).toContain(third.selfAddress);
    } finally {
      stop();
    }
  }, 30_000);
});

describe("status codes", () => {
  it("NOT_FOUND for a region no node has", async () => {
    const error = await client.ask("nowhere", "x", (replyTo) => ({ replyTo })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterClientError);
    expect((error as ClusterClientError).code).toBe(grpc.status.NOT_FOUND);
    const told = await call(stub(cluster[0].selfAddress), "tell", {
      region: "nowhere",
      entityId: "x",
      message: plain({ kind: { $case: "nullValue", value: true } }),
    });
    expect(told.code).toBe(grpc.status.NOT_FOUND);
  });

  it("DEADLINE_EXCEEDED when the entity never answers within the call's deadline", async () => {
    const error = await client
      .ask<never>("accounts", "quiet", (replyTo: ActorRef<never>) => ({ kind: "ignore", replyTo }), { timeout: 300 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AskTimeoutError);
    const raw = await call(stub(cluster[0].selfAddress), "ask", { region: "accounts", entityId: "quiet", message: client.encode({ kind: "ignore" }) }, 300);
    expect(raw.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it("INVALID_ARGUMENT for a missing, undecodable or unregistered payload, or a bad address", async () => {
    const raw = stub(cluster[0].selfAddress);
    const cases = [
      { region: "accounts", entityId: "a" },
      { region: "accounts", entityId: "a", message: { typeUrl: "type.googleapis.com/casty.v1.Value", value: Buffer.from([0xff, 0xff, 0xff]) } },
      { region: "accounts", entityId: "a", message: { typeUrl: "type.googleapis.com/shop.v1.Unknown", value: Buffer.alloc(0) } },
      { region: "accounts", entityId: "", message: plain({ kind: { $case: "nullValue", value: true } }) },
      { region: "a/b", entityId: "a", message: plain({ kind: { $case: "nullValue", value: true } }) },
    ];
    for (const request of cases) {
      for (const method of ["tell", "ask"])
        expect((await call(raw, method, request)).code, `${method} ${JSON.stringify(request)}`).toBe(grpc.status.INVALID_ARGUMENT);
    }
    // an ask needs an object to put the reply ref in
    expect((await call(raw, "ask", { region: "accounts", entityId: "a", message: client.encode(42) })).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await call(raw, "counterAdd", { counter: { name: "", shards: 0 }, delta: 1 })).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await call(raw, "destroy", { kind: 0, structure: { name: "x", shards: 0 } })).code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("RESOURCE_EXHAUSTED for a payload over the node's message size", async () => {
    const big = client.encode({ kind: "deposit", amount: 1, padding: "x".repeat(100 * 1024) });
    const told = await call(stub(cluster[0].selfAddress), "tell", { region: "accounts", entityId: "a", message: big });
    expect(told.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(told.details).toMatch(/message size/);
  });

  it("RESOURCE_EXHAUSTED beyond the calls a node takes at once", async () => {
    const small = await nodes.start([], {}, { maxInFlight: 2 });
    await small.cluster.whenUp(10_000);
    const raw = stub(small.selfAddress);
    const quiet = { region: "accounts", entityId: "q", message: client.encode({ kind: "ignore" }) };
    const codes = await Promise.all(Array.from({ length: 6 }, () => call(raw, "ask", quiet, 500).then((r) => r.code)));
    expect(codes.filter((c) => c === grpc.status.DEADLINE_EXCEEDED)).toHaveLength(2);
    expect(codes.filter((c) => c === grpc.status.RESOURCE_EXHAUSTED)).toHaveLength(4);
    raw.close();
  });

  it("UNAVAILABLE while the node is not Up", async () => {
    const lonely = await nodes.start(["127.0.0.1:1"], { maxMessageSize: 64 * 1024 }); // joins nothing: never Up
    const raw = stub(lonely.selfAddress);
    expect((await call(raw, "getClusterState", {})).code).toBe(grpc.status.UNAVAILABLE);
    expect((await call(raw, "tell", { region: "accounts", entityId: "a", message: client.encode({ kind: "deposit", amount: 1 }) })).code).toBe(
      grpc.status.UNAVAILABLE,
    );
    raw.close();
  });
});

describe("leaving", () => {
  it("UNAVAILABLE once the node leaves, and its membership streams end with UNAVAILABLE", { timeout: 30_000 }, async () => {
    const leaver = await nodes.start([cluster[0].selfAddress], { maxMessageSize: 64 * 1024 });
    await leaver.cluster.whenUp(15_000);
    const raw = stub(leaver.selfAddress);
    const watch = raw.watchMembers({});
    const ended = new Promise<grpc.status>((resolve) => watch.on("error", (error: grpc.ServiceError) => resolve(error.code)));
    watch.on("data", () => undefined);
    expect((await call(raw, "getClusterState", {})).code).toBe(grpc.status.OK);
    const left = leaver.cluster.leave();
    expect(await ended).toBe(grpc.status.UNAVAILABLE);
    expect((await call(raw, "getClusterState", {})).code).toBe(grpc.status.UNAVAILABLE);
    await left;
    raw.close();
  });
});

/** Starts `node`'s shutdown and holds it in the sharding hand-off phase (after service-unbind, before the leave). */
async function holdShutdown(node: ClusteredActorSystem): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let handingOff = false;
  node.coordinatedShutdown.addTask(ShutdownPhase.shardingHandOff, "test: hold the hand-off", async () => {
    handingOff = true;
    await held;
  });
  const stopped = node.shutdown();
  await waitFor(() => handingOff, 10_000, "the sharding hand-off phase");
  return {
    release: () => {
      release();
      return stopped;
    },
  };
}

describe("coordinated shutdown", () => {
  it("refuses calls from the service-unbind phase on, while the node is still Up", { timeout: 30_000 }, async () => {
    const node = await nodes.start([cluster[0].selfAddress], { maxMessageSize: 64 * 1024 });
    await node.cluster.whenUp(15_000);
    const raw = stub(node.selfAddress);
    const watch = raw.watchMembers({});
    const ended = new Promise<grpc.status>((resolve) => watch.on("error", (error: grpc.ServiceError) => resolve(error.code)));
    watch.on("data", () => undefined);
    const shutdown = await holdShutdown(node);
    expect(await Promise.race([ended, sleep(2000).then(() => "still open")])).toBe(grpc.status.UNAVAILABLE);
    expect((await call(raw, "getClusterState", {})).code).toBe(grpc.status.UNAVAILABLE);
    expect(node.cluster.selfMember?.status).toBe("up"); // the leave is not announced yet: the gateway refused on its own
    await shutdown.release();
    raw.close();
  });

  it("ClusterClient sends a tell or an ask that a stopping node refused to the next contact point", { timeout: 30_000 }, async () => {
    const node = await nodes.start([cluster[0].selfAddress], { maxMessageSize: 64 * 1024 });
    await node.cluster.whenUp(15_000);
    await using moving = await ClusterClient.connect({ contactPoints: [node.selfAddress, cluster[0].selfAddress] });
    expect(moving.contactPoint).toBe(node.selfAddress);
    const shutdown = await holdShutdown(node);
    await moving.tell("accounts", "moved", { kind: "deposit", amount: 2 });
    expect(moving.contactPoint).toBe(cluster[0].selfAddress);
    expect(await moving.ask<number>("accounts", "moved", (replyTo: ActorRef<number>) => ({ kind: "getBalance", replyTo }))).toBe(2);
    await shutdown.release();
  });
});

describe("distributed data", () => {
  it("counter, map, set and queue reach the same structures as the nodes", async () => {
    const d = client.distributed();
    const views = d.counter("page-views", { shards: 10 });
    expect(await views.increment(3)).toBe(3);
    expect(await views.decrement()).toBe(2);
    expect(await distributed(cluster[1]).counter("page-views", { shards: 10 }).get()).toBe(2);
    expect(await views.get()).toBe(2);

    const users = d.map<string, { name: string }>("users");
    expect(await users.put("u1", { name: "Ada" })).toBeUndefined();
    expect(await users.put("u1", { name: "Ada L." })).toEqual({ name: "Ada" });
    expect(await distributed(cluster[0]).map<string, { name: string }>("users").get("u1")).toEqual({ name: "Ada L." });
    expect(await users.contains("u1")).toBe(true);
    expect(await users.delete("u1")).toBe(true);
    expect(await users.get("u1")).toBeUndefined();

    const tags = d.set<string>("tags");
    expect(await tags.add("a")).toBe(true);
    expect(await tags.add("a")).toBe(false);
    expect(await tags.contains("a")).toBe(true);
    expect(await tags.size()).toBe(1);
    expect(await tags.remove("a")).toBe(true);

    const jobs = d.queue<string>("jobs");
    await jobs.enqueue("j1");
    await jobs.enqueue("j2");
    expect(await jobs.size()).toBe(2);
    expect(await jobs.peek()).toBe("j1");
    expect(await jobs.dequeue()).toBe("j1");
    expect(await jobs.dequeue()).toBe("j2");
    expect(await jobs.dequeue()).toBeUndefined();

    await views.destroy();
    expect(await views.get()).toBe(0);
  }, 30_000);
});
