// Every gRPC service of a running node gets seeded random frames through raw grpc-js clients: valid
// frames with fields mutated, truncated, garbage, random fields of random wire types, empty and huge
// strings, wrong system names. Nothing may escape to the process, and afterwards the node still answers
// health checks and a remote ask. The count is bounded, and every call is ended or cancelled.
import * as grpc from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { GossipRequest, HeartbeatRequest, JoinRequest, LeaveRequest, MemberStatus } from "../../gen/casty/v1/cluster.js";
import { ConnectRequest } from "../../gen/casty/v1/remote.js";
import { PROTOCOL_VERSION } from "../../src/remote/protocol.js";
import { Behaviors, ClusteredActorSystem, RemoteActorSystem, type ActorRef } from "../../src/index.js";
import { HealthClient } from "../cluster/integration/nodes.js";
import { escapes } from "../support/escapes.js";
import { Fuzzer, prng, serverStream, stream, unary } from "../support/fuzzer.js";

const SEED = 0x5eed;
const CALLS_PER_METHOD = 30;
const FRAMES_PER_STREAM = 6;

const escaped = escapes();
const systems: RemoteActorSystem[] = [];
afterAll(async () => {
  await Promise.all(systems.map((s) => s.shutdown()));
});

type EchoMsg = { readonly value: string; readonly replyTo: ActorRef<string> };

describe("fuzzing every service of a node", () => {
  it("contains every bad frame; the node still answers health and a remote ask", async () => {
    const node = await ClusteredActorSystem.start({
      name: "test",
      host: "127.0.0.1",
      port: 0,
      logLevel: "silent",
      leaveTimeout: 500,
      downing: { stableAfter: 600_000 }, // fake members the fuzz adds must not get the node downed meanwhile
    });
    systems.push(node);
    await node.cluster.whenUp(5000);
    node.spawn(
      Behaviors.receive<EchoMsg>((_ctx, msg) => {
        msg.replyTo.tell(msg.value);
        return Behaviors.same();
      }),
      "echo",
    );

    const fake = (system: string, host: string, port: number) => ({ system, host, port, uid: 77n });
    const stranger = fake("test", "127.0.0.1", 65000);
    const wrongSystem = fake("other", "127.0.0.1", 65001);
    const emptyHost = fake("test", "", 65002);
    const valid: Record<string, Uint8Array[]> = {
      "/casty.v1.RemotingService/Connect": [
        ConnectRequest.encode({
          frame: { $case: "handshake", value: { protocolVersion: PROTOCOL_VERSION, origin: stranger, target: { ...node.selfNode, uid: 0n } } },
        }).finish(),
        ConnectRequest.encode({ frame: { $case: "handshake", value: { protocolVersion: PROTOCOL_VERSION, origin: emptyHost, target: undefined } } }).finish(),
        ConnectRequest.encode({
          frame: {
            $case: "batch",
            value: {
              typeNames: ["casty.v1.Value", "no.such.Type"],
              targetPaths: ["/user/echo", ""],
              envelopes: [{ targetIndex: 1, typeIndex: 1, payload: Buffer.from([1, 2]), hops: 0 }],
              keys: [],
            },
          },
        }).finish(),
      ],
      "/casty.v1.ClusterService/Gossip": [stranger, wrongSystem, emptyHost].map((from) =>
        GossipRequest.encode({
          envelope: {
            from,
            to: { ...node.selfNode, uid: 0n },
            payload: {
              $case: "state",
              value: {
                members: [{ node: { ...from, port: 65003 }, status: MemberStatus.MEMBER_STATUS_UP, roles: ["r"], upNumber: 9 }],
                reachability: [],
                seen: [from],
                version: { entries: [{ node: "127.0.0.1:65003#77", counter: 1n }] },
                tombstones: [],
              },
            },
          },
        }).finish(),
      ),
      "/casty.v1.ClusterService/Heartbeat": [stranger, wrongSystem, emptyHost].map((from) =>
        HeartbeatRequest.encode({ from, to: node.selfNode, sequenceNr: 1n, sendTimeMs: 0n }).finish(),
      ),
      "/casty.v1.ClusterService/Join": [stranger, wrongSystem, emptyHost].map((node) => JoinRequest.encode({ node, roles: ["x"] }).finish()),
      "/casty.v1.ClusterService/Leave": [stranger, wrongSystem, emptyHost].map((node) => LeaveRequest.encode({ node }).finish()),
      "/grpc.health.v1.Health/Check": ["", "casty.v1.Cluster", "nope"].map((service) => new BinaryWriter().uint32(10).string(service).finish()),
      "/grpc.health.v1.Health/Watch": ["", "nope"].map((service) => new BinaryWriter().uint32(10).string(service).finish()),
    };

    const fuzz = new Fuzzer(prng(SEED));
    const client = new grpc.Client(node.selfAddress, grpc.credentials.createInsecure(), { "grpc.max_send_message_length": 8 * 1024 * 1024 });
    try {
      for (const [path, frames] of Object.entries(valid)) {
        const calls: Promise<void>[] = [];
        for (let i = 0; i < CALLS_PER_METHOD; i++) {
          if (path.endsWith("/Watch")) calls.push(serverStream(client, path, fuzz.frame(frames)));
          else if (/\/(Connect|Gossip|Heartbeat)$/.test(path)) {
            calls.push(
              stream(
                client,
                path,
                Array.from({ length: 1 + fuzz.int(FRAMES_PER_STREAM) }, () => fuzz.frame(frames)),
              ),
            );
          } else calls.push(unary(client, path, fuzz.frame(frames)));
        }
        await Promise.all(calls);
      }
    } finally {
      client.close();
    }

    const health = new HealthClient(node.selfAddress);
    try {
      expect(await health.check("")).toBe("SERVING");
    } finally {
      health.close();
    }
    const asker = await RemoteActorSystem.start({ name: "test", host: "127.0.0.1", port: 0, logLevel: "silent" });
    systems.push(asker);
    const echo = asker.refFor<EchoMsg>(`${node.addressPrefix}/user/echo`);
    expect(await asker.ask(echo, (replyTo) => ({ value: "still here", replyTo }), { timeout: 5000 })).toBe("still here");
    escaped.assertNone();
  });
});
