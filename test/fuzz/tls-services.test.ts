// Every gRPC service of a node under TLS, called by raw clients: with mutual TLS a client without a
// certificate the cluster's CA signed (none, another CA's, plaintext) is refused on every method of
// every service (remoting, cluster, replication, gateway, health; sharding rides on remoting); with server-only TLS
// (requireClientCertificate: false, which lets probes in) such a client reaches health, and the gateway
// only when it is configured open.
import * as grpc from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { ClusterServiceService, JoinRequest } from "../../gen/casty/v1/cluster.js";
import { GatewayServiceService } from "../../gen/casty/v1/gateway.js";
import { ReplicationServiceService } from "../../gen/casty/v1/replication.js";
import { Behaviors, ClusteredActorSystem, type GatewayOptions, type TlsOptions } from "../../src/index.js";
import { CONNECT_PATH } from "../../src/remote/protocol.js";
import { TestPki } from "../remote/fixtures/certs.js";
import { escapes } from "../support/escapes.js";

const CALL_TIMEOUT = 1500;
const escaped = escapes();
const pki = new TestPki();
const ca = pki.createCa("services-ca");
const rogue = pki.createCa("services-rogue-ca");
const systems: ClusteredActorSystem[] = [];
afterAll(async () => {
  await Promise.all(systems.map((s) => s.shutdown()));
  pki.cleanup();
  escaped.assertNone();
}, 30_000);

interface Method {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

const join = JoinRequest.encode({ node: { system: "tls", host: "127.0.0.1", port: 65010, uid: 5n }, roles: [] }).finish();
const HEALTH: Method[] = [
  { path: "/grpc.health.v1.Health/Check", requestStream: false, responseStream: false },
  { path: "/grpc.health.v1.Health/Watch", requestStream: false, responseStream: true },
];
const GATEWAY_METHODS: Method[] = Object.values(GatewayServiceService);
const GUARDED: Method[] = [
  { path: CONNECT_PATH, requestStream: true, responseStream: true },
  ...Object.values(ClusterServiceService),
  ...Object.values(ReplicationServiceService),
  ...GATEWAY_METHODS,
];

/** The status a call ends with; a stream the node keeps open is cancelled after CALL_TIMEOUT (CANCELLED). */
function status(client: grpc.Client, method: Method): Promise<grpc.status> {
  const frame = Buffer.from(method.path.endsWith("/Join") ? join : []);
  const identity = (b: Buffer) => b;
  return new Promise((resolve) => {
    if (!method.requestStream && !method.responseStream) {
      client.makeUnaryRequest(method.path, identity, identity, frame, { deadline: Date.now() + CALL_TIMEOUT }, (error) =>
        resolve(error?.code ?? grpc.status.OK),
      );
      return;
    }
    const bidi = method.requestStream ? client.makeBidiStreamRequest(method.path, identity, identity) : undefined;
    const call = bidi ?? client.makeServerStreamRequest(method.path, identity, identity, frame);
    const timer = setTimeout(() => call.cancel(), CALL_TIMEOUT);
    call.on("data", () => undefined);
    call.on("error", () => undefined);
    call.on("status", (s: grpc.StatusObject) => (clearTimeout(timer), resolve(s.code)));
    bidi?.write(frame);
    bidi?.end();
  });
}

async function node(tls: TlsOptions, gateway?: GatewayOptions): Promise<ClusteredActorSystem> {
  const system = await ClusteredActorSystem.start({ name: "tls", host: "127.0.0.1", port: 0, logLevel: "silent", tls, gateway, leaveTimeout: 500 });
  systems.push(system);
  await system.cluster.whenUp(10_000);
  // a replicated region, so that the node serves ReplicationService
  system.spawn(
    Behaviors.sharded(() => Behaviors.receive(() => Behaviors.same()), { numShards: 4, replication: { replicas: 1, minAcks: 1 } }),
    "replicated",
  );
  return system;
}

async function statuses(address: string, credentials: grpc.ChannelCredentials, methods: readonly Method[]): Promise<Record<string, grpc.status>> {
  const client = new grpc.Client(address, credentials);
  try {
    const codes = await Promise.all(methods.map((m) => status(client, m)));
    return Object.fromEntries(methods.map((m, i) => [m.path, codes[i]]));
  } finally {
    client.close();
  }
}

const every = (methods: readonly Method[], code: grpc.status) => Object.fromEntries(methods.map((m) => [m.path, code]));
const pem = (s: string | Buffer) => Buffer.from(s);

describe("TLS on every service", () => {
  it("mutual TLS: a client without a CA-signed certificate is refused on every method; one with it is served", { timeout: 30_000 }, async () => {
    const system = await node(pki.nodeTls(ca, "node-m"));
    const all = [...HEALTH, ...GUARDED];
    const noCertificate = grpc.credentials.createSsl(pem(ca.cert));
    const rogueTls = pki.nodeTls(rogue, "intruder");
    const otherCa = grpc.credentials.createSsl(pem(ca.cert), pem(rogueTls.key), pem(rogueTls.cert));
    for (const credentials of [noCertificate, otherCa, grpc.credentials.createInsecure()])
      expect(await statuses(system.selfAddress, credentials, all)).toEqual(every(all, grpc.status.UNAVAILABLE));
    const trusted = pki.nodeTls(ca, "member");
    const served = await statuses(system.selfAddress, grpc.credentials.createSsl(pem(ca.cert), pem(trusted.key), pem(trusted.cert)), HEALTH);
    expect(served[HEALTH[0].path]).toBe(grpc.status.OK);
  });

  it("server-only TLS: a client without a certificate reaches health, and the gateway only when it is open", { timeout: 30_000 }, async () => {
    const serverOnly = { ...pki.nodeTls(ca, "node-s"), requireClientCertificate: false };
    const closed = await node(serverOnly);
    const anonymous = grpc.credentials.createSsl(pem(ca.cert));
    const health = await statuses(closed.selfAddress, anonymous, HEALTH);
    expect(health[HEALTH[0].path]).toBe(grpc.status.OK);
    expect(await statuses(closed.selfAddress, anonymous, GATEWAY_METHODS)).toEqual(every(GATEWAY_METHODS, grpc.status.UNAUTHENTICATED));

    const open = await node({ ...pki.nodeTls(ca, "node-o"), requireClientCertificate: false }, { open: true });
    const codes = await statuses(open.selfAddress, anonymous, GATEWAY_METHODS);
    for (const m of GATEWAY_METHODS) expect(codes[m.path], m.path).not.toBe(grpc.status.UNAUTHENTICATED);
  });
});
