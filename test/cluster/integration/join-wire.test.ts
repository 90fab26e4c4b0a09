// The Join RPC of casty.v1.ClusterService seen by a raw gRPC client (as another implementation would
// call it): refusal reasons per cluster.proto, and incarnations that were removed cannot come back.
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { ClusterServiceClient, ClusterServiceService, JoinRefusalReason, type JoinResponse } from "../../../gen/casty/v1/cluster.js";
import { MemberRemoved } from "../../../src/index.js";
import { sleep, waitFor } from "../../support/wait.js";
import { CapturingLogger, ClusterNodes } from "./nodes.js";

const nodes = new ClusterNodes();
const clients: grpc.Client[] = [];
const servers: grpc.Server[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) server.forceShutdown();
  await nodes.shutdownAll();
});

function joinVia(address: string, node: { system: string; host: string; port: number; uid: bigint }): Promise<JoinResponse> {
  const client = new ClusterServiceClient(address, grpc.credentials.createInsecure());
  clients.push(client);
  return new Promise((resolve, reject) =>
    client.join({ node, roles: [] }, new grpc.Metadata(), { deadline: Date.now() + 2000 }, (error, response) => (error ? reject(error) : resolve(response))),
  );
}

function refusal(response: JoinResponse): JoinRefusalReason | "welcome" {
  return response.result?.$case === "refusal" ? response.result.value.reason : "welcome";
}

// an address nobody listens on: heartbeats to it fail, so the fake member becomes unreachable
const ghost = { system: "test", host: "127.0.0.1", port: 9 };
const fast = { heartbeatInterval: 100, failureDetector: { acceptableHeartbeatPause: 300 }, downing: { stableAfter: 500 }, leaveTimeout: 500 };

/** A stand-in seed whose Join always answers with `reason`; counts the joins it got. */
async function fakeSeed(reason: JoinRefusalReason): Promise<{ address: string; joins: () => number }> {
  const server = new grpc.Server();
  let joins = 0;
  server.addService(ClusterServiceService, {
    join: (_call: unknown, callback: grpc.sendUnaryData<JoinResponse>) => {
      joins++;
      callback(null, { result: { $case: "refusal", value: { reason, message: "fake seed" } } });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  servers.push(server);
  return { address: `127.0.0.1:${port}`, joins: () => joins };
}

describe("Join over the wire", () => {
  it("refuses another cluster's node with WRONG_SYSTEM and logs it", async () => {
    const log = new CapturingLogger();
    const a = await nodes.start({ logger: log });
    await a.cluster.whenUp(2000);
    const response = await joinVia(a.selfAddress, { ...ghost, system: "other", uid: 7n });
    expect(refusal(response)).toBe(JoinRefusalReason.JOIN_REFUSAL_REASON_WRONG_SYSTEM);
    expect(log.matching(/cluster "other" is not "test"/, "error")).toHaveLength(1);
    expect(a.cluster.state.members).toHaveLength(1);
  });

  it("a node that is not a member (yet) answers NOT_A_MEMBER", async () => {
    const pending = await nodes.start({ seedNodes: ["127.0.0.1:1"] });
    const response = await joinVia(pending.selfAddress, { ...ghost, uid: 7n });
    expect(refusal(response)).toBe(JoinRefusalReason.JOIN_REFUSAL_REASON_NOT_A_MEMBER);
  });

  it("welcomes a new incarnation; once it is downed and removed, the same uid is refused with INCARNATION_REMOVED", async () => {
    // two real nodes, so the silent ghost is the minority (alone against one, the lower port 9 would win the tie)
    const [a] = await nodes.cluster(2, fast);
    if (a === undefined) throw new Error("no cluster");
    const removed: string[] = [];
    a.cluster.subscribe(MemberRemoved, (e) => removed.push(e.address));
    const welcome = await joinVia(a.selfAddress, { ...ghost, uid: 42n });
    expect(refusal(welcome)).toBe("welcome");
    const ghostAddress = `${ghost.host}:${ghost.port}`;
    expect(a.cluster.state.members.map((m) => m.address)).toContain(ghostAddress);
    // the same incarnation again: still welcome (idempotent)
    expect(refusal(await joinVia(a.selfAddress, { ...ghost, uid: 42n }))).toBe("welcome");

    // the ghost never answers heartbeats: unreachable, downed by the resolver (keep-majority), removed
    await waitFor(() => removed.includes(ghostAddress), 5000, "the ghost removed");
    const again = await joinVia(a.selfAddress, { ...ghost, uid: 42n });
    expect(refusal(again)).toBe(JoinRefusalReason.JOIN_REFUSAL_REASON_INCARNATION_REMOVED);
    // a restarted node (new uid) is welcome
    expect(refusal(await joinVia(a.selfAddress, { ...ghost, uid: 43n }))).toBe("welcome");
  });

  it("another incarnation at a live member's address: RETRY_LATER, the old one is downed, then the new one is welcome", async () => {
    const a = await nodes.start(fast);
    await a.cluster.whenUp(2000);
    expect(refusal(await joinVia(a.selfAddress, { ...ghost, uid: 1n }))).toBe("welcome");
    const first = await joinVia(a.selfAddress, { ...ghost, uid: 2n });
    expect(refusal(first)).toBe(JoinRefusalReason.JOIN_REFUSAL_REASON_RETRY_LATER);
    expect(a.cluster.state.members.find((m) => m.address === "127.0.0.1:9")?.status).toBe("down");
    expect(refusal(await joinVia(a.selfAddress, { ...ghost, uid: 2n }))).toBe("welcome");
  });

  it("the first seed does not form a second cluster while a member of one asks it to retry", async () => {
    const seed = await fakeSeed(JoinRefusalReason.JOIN_REFUSAL_REASON_RETRY_LATER);
    // this node lists itself first: alone it would form a cluster after 2 join retry intervals
    const port = await freePort();
    const a = await nodes.start({ port, seedNodes: [`127.0.0.1:${port}`, seed.address], joinRetryInterval: 100 });
    await sleep(800);
    expect(seed.joins()).toBeGreaterThanOrEqual(4);
    expect(a.cluster.selfMember).toBeUndefined();
  });

  it("the first seed forms the cluster when the other seeds are not members either", async () => {
    const seed = await fakeSeed(JoinRefusalReason.JOIN_REFUSAL_REASON_NOT_A_MEMBER);
    const port = await freePort();
    const a = await nodes.start({ port, seedNodes: [`127.0.0.1:${port}`, seed.address], joinRetryInterval: 100 });
    await a.cluster.whenUp(2000);
    expect(seed.joins()).toBeGreaterThanOrEqual(1);
  });
});

async function freePort(): Promise<number> {
  const server = new grpc.Server();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  server.forceShutdown();
  return port;
}
