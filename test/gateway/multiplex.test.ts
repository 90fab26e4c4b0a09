// GatewayService.Multiplex: every call of a batch gets its own result by id, with the status codes of
// the unary calls; cancelled calls get none; a node that does not serve refuses calls untouched.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GatewayServiceService,
  type GatewayServiceServer,
  type MultiplexCall,
  type MultiplexRequest,
  type MultiplexResult,
} from "../../gen/casty/v1/gateway.js";
import { AskTimeoutError, ClusterClient, ClusterClientError, type ActorRef, type ClusteredActorSystem } from "../../src/index.js";
import { escapes } from "../support/escapes.js";
import { waitFor } from "../support/wait.js";
import { GatewayNodes } from "./fixtures/cluster.js";
import { GREETER_PROTO, PROTO_DIR } from "./fixtures/entities.js";
import { multiplex, stub } from "./fixtures/stub.js";

const escaped = escapes();
const nodes = new GatewayNodes();
let node: ClusteredActorSystem;
let client: ClusterClient;

beforeAll(async () => {
  [node] = await nodes.cluster(1, { maxMessageSize: 64 * 1024 });
  client = await ClusterClient.connect({ contactPoints: [node.selfAddress], timeout: 3000 });
}, 30_000);

afterAll(async () => {
  client.close();
  await nodes.shutdownAll();
  escaped.assertNone();
}, 30_000);

const tell = (id: number, region: string, entityId: string, message: unknown): MultiplexCall => ({
  id,
  kind: { $case: "tell", value: { region, entityId, message: client.encode(message) } },
  timeoutMs: 0,
  traceparent: "",
});
const ask = (id: number, region: string, entityId: string, message: unknown, timeoutMs = 0): MultiplexCall => ({
  id,
  kind: { $case: "ask", value: { region, entityId, message: client.encode(message) } },
  timeoutMs,
  traceparent: "",
});
const codeOf = (result: MultiplexResult | undefined) => (result?.result?.$case === "error" ? result.result.value.code : result?.result?.$case);

describe("the Multiplex stream", () => {
  it("answers each call of a batch by its id, with the unary calls' status codes, and cancelled calls not at all", async () => {
    const raw = stub(node.selfAddress);
    const { results } = await multiplex(
      raw,
      [
        tell(1, "accounts", "m1", { kind: "deposit", amount: 10 }),
        ask(2, "accounts", "m1", { kind: "getBalance" }),
        ask(3, "nowhere", "m1", { kind: "getBalance" }),
        {
          id: 4,
          kind: { $case: "tell", value: { region: "accounts", entityId: "m1", message: { typeUrl: "x/shop.v1.Unknown", value: Buffer.alloc(1) } } },
          timeoutMs: 0,
          traceparent: "",
        },
        ask(5, "accounts", "m1", 42),
        tell(6, "accounts", "m1", { kind: "deposit", amount: 1, padding: "x".repeat(100 * 1024) }),
        ask(7, "accounts", "quiet", { kind: "ignore" }, 200),
        ask(8, "accounts", "quiet", { kind: "ignore" }, 100), // cancelled: would time out before 7
        { id: 8, kind: { $case: "cancel", value: {} }, timeoutMs: 0, traceparent: "" },
        { id: 9, kind: undefined, timeoutMs: 0, traceparent: "" },
      ],
      8,
    );
    expect(codeOf(results.get(1))).toBe("tell");
    const balance = results.get(2)?.result;
    expect(balance?.$case === "ask" && client.decode(balance.value.reply)).toBe(10);
    expect(codeOf(results.get(3))).toBe(grpc.status.NOT_FOUND);
    expect(codeOf(results.get(4))).toBe(grpc.status.INVALID_ARGUMENT);
    expect(codeOf(results.get(5))).toBe(grpc.status.INVALID_ARGUMENT);
    expect(codeOf(results.get(6))).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(codeOf(results.get(7))).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(results.has(8)).toBe(false);
    expect(codeOf(results.get(9))).toBe(grpc.status.INVALID_ARGUMENT);
    raw.close();
  });

  it("RESOURCE_EXHAUSTED for the calls beyond those a node takes at once", async () => {
    const small = await nodes.start([], {}, { maxInFlight: 2 });
    await small.cluster.whenUp(10_000);
    const raw = stub(small.selfAddress);
    const { results } = await multiplex(
      raw,
      [1, 2, 3, 4].map((id) => ask(id, "accounts", "q", { kind: "ignore" }, 300)),
      4,
    );
    const codes = [...results.values()].map(codeOf);
    expect(codes.filter((c) => c === grpc.status.DEADLINE_EXCEEDED)).toHaveLength(2);
    expect(codes.filter((c) => c === grpc.status.RESOURCE_EXHAUSTED)).toHaveLength(2);
    raw.close();
  });

  it("a node that is not Up ends the stream UNAVAILABLE, marked not processed", async () => {
    const lonely = await nodes.start(["127.0.0.1:1"]); // joins nothing: never Up
    const raw = stub(lonely.selfAddress);
    const stream = raw.multiplex();
    const ended = new Promise<grpc.ServiceError>((resolve) => stream.on("error", resolve));
    stream.on("data", () => undefined);
    stream.write({ calls: [tell(1, "accounts", "a", { kind: "deposit", amount: 1 })] });
    const error = await ended;
    expect(error.code).toBe(grpc.status.UNAVAILABLE);
    expect(error.metadata.get("casty-not-processed")).toEqual(["1"]);
    raw.close();
  });
});

/** A server of the gateway service that answers GetClusterState and takes Multiplex calls without ever answering them. */
async function silentGateway(): Promise<{ address: string; calls: () => number; stop(): void }> {
  const server = new grpc.Server();
  let calls = 0;
  const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<never>) => callback({ code: grpc.status.UNIMPLEMENTED });
  const handlers = Object.fromEntries(Object.keys(GatewayServiceService).map((name) => [name, unimplemented])) as unknown as GatewayServiceServer;
  handlers.getClusterState = (_call, callback) => callback(null, { state: { members: [], leader: "", unreachable: [] } });
  handlers.multiplex = (call) => call.on("data", (request: MultiplexRequest) => (calls += request.calls.length));
  server.addService(GatewayServiceService, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { address: `127.0.0.1:${port}`, calls: () => calls, stop: () => server.forceShutdown() };
}

describe("ClusterClient on the Multiplex stream", () => {
  it("rejects at each call's own deadline when the node never answers", async () => {
    const silent = await silentGateway();
    try {
      await using quiet = await ClusterClient.connect({ contactPoints: [silent.address], timeout: 300 });
      const short = quiet.tell("accounts", "a", { kind: "deposit", amount: 1 }, { timeout: 100 }).catch((e: unknown) => e);
      const long = quiet.ask("accounts", "a", (replyTo) => ({ kind: "getBalance", replyTo })).catch((e: unknown) => e);
      expect(await short).toBeInstanceOf(AskTimeoutError);
      expect(await long).toBeInstanceOf(AskTimeoutError);
      await waitFor(() => silent.calls() === 2, 5000, "both calls to reach the silent node"); // sent, never answered
    } finally {
      silent.stop();
    }
  });

  it("keeps each call's own timeout: a short one expires while a longer one is answered", async () => {
    const quiet = client.ask<never>("accounts", "still", (replyTo: ActorRef<never>) => ({ kind: "ignore", replyTo }), { timeout: 200 });
    const answered = client.ask<number>("accounts", "still", (replyTo: ActorRef<number>) => ({ kind: "getBalance", replyTo }), { timeout: 5000 });
    await expect(quiet).rejects.toBeInstanceOf(AskTimeoutError);
    expect(await answered).toBe(0);
  });

  it("rejects a cancelled call at once with CANCELLED, multiplexed or unary", async () => {
    const abort = new AbortController();
    const waiting = client.ask<never>("accounts", "cancelled", (replyTo: ActorRef<never>) => ({ kind: "ignore", replyTo }), { signal: abort.signal });
    abort.abort();
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterClientError);
    expect((error as ClusterClientError).code).toBe(grpc.status.CANCELLED);
    const before = new AbortController();
    before.abort();
    await expect(client.tell("accounts", "cancelled", { kind: "deposit", amount: 1 }, { signal: before.signal })).rejects.toBeInstanceOf(ClusterClientError);
    expect(await client.ask<number>("accounts", "cancelled", (replyTo: ActorRef<number>) => ({ kind: "getBalance", replyTo }))).toBe(0);
    // the unary calls too
    const reading = new AbortController();
    const members = client.members({ signal: reading.signal }).catch((e: unknown) => e);
    reading.abort();
    expect(((await members) as ClusterClientError).code).toBe(grpc.status.CANCELLED);
    await expect(client.distributed().counter("cancelled", { signal: before.signal }).get()).rejects.toBeInstanceOf(ClusterClientError);
  });

  it("takes a frame of several replies each near the message size", async () => {
    await using tight = await ClusterClient.connect({ contactPoints: [node.selfAddress], maxMessageSize: 64 * 1024 });
    tight.serialization.registerProtoFile(GREETER_PROTO, { includeDirs: [PROTO_DIR] });
    const name = "x".repeat(60 * 1024); // the greeting repeats it: one entity's four answers of one turn share a frame
    const greetings = await Promise.all([1, 2, 3, 4].map(() => tight.ask<{ count: number }>("greeters", "big", () => ({ $type: "greeter.v1.Greet", name }))));
    expect(greetings.map((g) => g.count).sort()).toEqual([1, 2, 3, 4]);
  });

  it("rejects with the node's status code, or its own for a message over the size", async () => {
    const invalid = await client.ask("accounts", "x", () => 42 as unknown as object).catch((e: unknown) => e);
    expect((invalid as ClusterClientError).code).toBe(grpc.status.INVALID_ARGUMENT);
    const notFound = await client.tell("nowhere", "x", { kind: "deposit", amount: 1 }).catch((e: unknown) => e);
    expect((notFound as ClusterClientError).code).toBe(grpc.status.NOT_FOUND);
    await using small = await ClusterClient.connect({ contactPoints: [node.selfAddress], maxMessageSize: 1024 });
    const big = await small.tell("accounts", "x", { padding: "x".repeat(2048) }).catch((e: unknown) => e);
    expect((big as ClusterClientError).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });
});
