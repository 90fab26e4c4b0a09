// Every GatewayService method gets seeded random frames through a raw grpc-js client: valid requests
// mutated, truncated, garbage, random fields (Multiplex: streams of 1 to 4 such frames). Nothing may escape to the process; afterwards the node
// still answers through the gateway and no call is left counted in flight.
import * as grpc from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { GatewayServiceService } from "../../gen/casty/v1/gateway.js";
import { ClusterClient, GatewayId, type ActorRef } from "../../src/index.js";
import { escapes } from "../support/escapes.js";
import { Fuzzer, prng, serverStream, stream, unary } from "../support/fuzzer.js";
import { waitFor } from "../support/wait.js";
import { GatewayNodes } from "./fixtures/cluster.js";

const SEED = 0x9a7e;
const CALLS_PER_METHOD = 30;

const escaped = escapes();
const nodes = new GatewayNodes();
afterAll(async () => {
  await nodes.shutdownAll();
}, 30_000);

/** Valid requests of every method, to mutate: with plain-data and Protobuf payloads. */
function validRequests(client: ClusterClient): Record<string, Uint8Array[]> {
  const value = client.encode({ kind: "deposit", amount: 1 });
  const greet = client.encode({ $type: "greeter.v1.Greet", name: "fuzz" });
  const structure = { name: "fuzzed", shards: 7 };
  const requests: Record<string, object[]> = {
    tell: [
      { region: "accounts", entityId: "f", message: value },
      { region: "greeters", entityId: "f", message: greet },
    ],
    ask: [
      { region: "accounts", entityId: "f", message: value },
      { region: "greeters", entityId: "f", message: greet },
    ],
    multiplex: [
      { calls: [{ id: 1, kind: { $case: "tell", value: { region: "accounts", entityId: "f", message: value } }, timeoutMs: 500 }] },
      {
        calls: [
          { id: 2, kind: { $case: "ask", value: { region: "greeters", entityId: "f", message: greet } }, timeoutMs: 500 },
          { id: 3, kind: { $case: "ask", value: { region: "accounts", entityId: "f", message: value } }, timeoutMs: 0 },
          { id: 3, kind: { $case: "ask", value: { region: "accounts", entityId: "f", message: value } }, timeoutMs: 500 }, // an id in use
          { id: 2, kind: { $case: "cancel", value: {} }, timeoutMs: 0 },
          { id: 4, kind: undefined, timeoutMs: 0 },
        ],
      },
    ],
    getClusterState: [{}],
    watchMembers: [{}],
    counterAdd: [{ counter: structure, delta: 2 }],
    counterGet: [{ counter: structure }],
    mapPut: [{ map: structure, key: value, value }],
    mapGet: [{ map: structure, key: value }],
    mapContains: [{ map: structure, key: value }],
    mapDelete: [{ map: structure, key: value }],
    setAdd: [{ set: structure, value }],
    setRemove: [{ set: structure, value }],
    setContains: [{ set: structure, value }],
    setSize: [{ set: structure }],
    queueEnqueue: [{ queue: structure, value }],
    queueDequeue: [{ queue: structure }],
    queuePeek: [{ queue: structure }],
    queueSize: [{ queue: structure }],
    destroy: [{ kind: 1, structure }],
  };
  const methods = GatewayServiceService as unknown as Record<string, { requestSerialize: (r: object) => Buffer }>;
  return Object.fromEntries(Object.entries(requests).map(([name, list]) => [name, list.map((r) => new Uint8Array(methods[name].requestSerialize(r)))]));
}

describe("fuzzing the gateway", () => {
  it("contains every bad call: the node keeps serving and nothing escapes", { timeout: 60_000 }, async () => {
    const [node] = await nodes.cluster(1, {}, { maxAskTimeout: 2000 }); // fuzzed Multiplex timeouts wait no longer than that
    await using client = await ClusterClient.connect({ contactPoints: [node.selfAddress] });
    client.serialization.registerProtoFile("examples/python-client/proto/greeter/v1/greeter.proto", { includeDirs: ["proto"] });
    const valid = validRequests(client);
    const raw = new grpc.Client(node.selfAddress, grpc.credentials.createInsecure(), { "grpc.max_send_message_length": 8 * 1024 * 1024 });
    const fuzz = new Fuzzer(prng(SEED));
    const calls: Promise<void>[] = [];
    for (const [name, method] of Object.entries(GatewayServiceService)) {
      for (let i = 0; i < CALLS_PER_METHOD; i++) {
        if (method.requestStream) {
          calls.push(
            stream(
              raw,
              method.path,
              Array.from({ length: 1 + fuzz.int(4) }, () => fuzz.frame(valid[name])),
            ),
          );
          continue;
        }
        const frame = fuzz.frame(valid[name]);
        calls.push(method.responseStream ? serverStream(raw, method.path, frame) : unary(raw, method.path, frame));
      }
    }
    await Promise.all(calls);
    raw.close();

    // ClusterClient's tells and asks go over a Multiplex stream of their own
    await client.tell("accounts", "after", { kind: "deposit", amount: 1 });
    expect(await client.ask<number>("accounts", "after", (replyTo: ActorRef<number>) => ({ kind: "deposit", amount: 2, replyTo }))).toBe(3);
    const gateway = node.findExtension(GatewayId)!;
    await waitFor(() => gateway.callsInFlight === 0, 10_000, "no gateway call left in flight");
    escaped.assertNone();
  });
});
