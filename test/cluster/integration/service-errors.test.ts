// ClusterService handlers fed frames no casty node sends: each bad call is closed with a status and
// logged; nothing escapes to the process and the node keeps serving.
import * as grpc from "@grpc/grpc-js";
import { afterEach, describe, expect, it } from "vitest";
import { ClusterServiceClient } from "../../../gen/casty/v1/cluster.js";
import { escapes } from "../../support/escapes.js";
import { CapturingLogger, ClusterNodes, HealthClient } from "./nodes.js";

const nodes = new ClusterNodes();
const clients: { close(): void }[] = [];
const escaped = escapes();
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await nodes.shutdownAll();
  escaped.assertNone();
});

const emptyHost = { system: "test", host: "", port: 1, uid: 1n };

function client(address: string): ClusterServiceClient {
  const c = new ClusterServiceClient(address, grpc.credentials.createInsecure());
  clients.push(c);
  return c;
}

/** Writes `request` on a fresh stream and resolves with the status the node ends it with. */
function streamStatus<Req, Res>(call: grpc.ClientDuplexStream<Req, Res>, request: Req): Promise<grpc.StatusObject> {
  return new Promise((resolve) => {
    call.on("data", () => undefined);
    call.on("error", () => undefined);
    call.on("status", resolve);
    call.write(request);
  });
}

describe("ClusterService with malformed node addresses", () => {
  it("closes a gossip stream whose sender has an empty host, logs it, and keeps the node", async () => {
    const log = new CapturingLogger();
    const a = await nodes.start({ logger: log });
    await a.cluster.whenUp(2000);
    const gossip = client(a.selfAddress).gossip();
    const status = await streamStatus(gossip, { envelope: { from: emptyHost, payload: { $case: "status", value: { version: undefined, seenDigest: 0n } } } });
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(log.matching(/closing the gossip stream from .*: bad host/, "warn")).toHaveLength(1);
    const health = new HealthClient(a.selfAddress);
    clients.push(health);
    expect(await health.check("")).toBe("SERVING");
  });

  it("closes a heartbeat stream whose sender has an empty host", async () => {
    const a = await nodes.start();
    await a.cluster.whenUp(2000);
    const heartbeat = client(a.selfAddress).heartbeat();
    const status = await streamStatus(heartbeat, { from: emptyHost, to: a.selfNode, sequenceNr: 1n, sendTimeMs: 0n });
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it("answers Join and Leave with an empty host with INVALID_ARGUMENT", async () => {
    const a = await nodes.start();
    await a.cluster.whenUp(2000);
    const c = client(a.selfAddress);
    const join = await new Promise<grpc.ServiceError | null>((resolve) => c.join({ node: emptyHost, roles: [] }, (error) => resolve(error)));
    expect(join?.code).toBe(grpc.status.INVALID_ARGUMENT);
    const leave = await new Promise<grpc.ServiceError | null>((resolve) => c.leave({ node: emptyHost }, (error) => resolve(error)));
    expect(leave?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(a.cluster.state.members).toHaveLength(1);
  });
});
