// The gateway under TLS: mutual TLS refuses clients without a CA-signed certificate, `authorize`
// refuses certificates it does not like, and server-only TLS answers UNAUTHENTICATED unless open.
import * as grpc from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { ClusterClient, ClusterClientError, type ActorRef, type GatewayOptions, type TlsOptions } from "../../src/index.js";
import { TestPki } from "../remote/fixtures/certs.js";
import { escapes } from "../support/escapes.js";
import { GatewayNodes } from "./fixtures/cluster.js";
import { multiplex, stub } from "./fixtures/stub.js";

const escaped = escapes();
const pki = new TestPki();
const ca = pki.createCa("gateway-ca");
const rogue = pki.createCa("rogue-ca");
const nodes = new GatewayNodes();

afterAll(async () => {
  await nodes.shutdownAll();
  pki.cleanup();
  escaped.assertNone();
}, 30_000);

async function node(tls: TlsOptions, gateway?: GatewayOptions): Promise<string> {
  const system = await nodes.start([], { tls }, gateway);
  await system.cluster.whenUp(10_000);
  return system.selfAddress;
}

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => "served",
    (error: unknown) => error,
  );
/** The status a raw Multiplex stream ends with for a client with `tls` (its calls get no result). */
async function multiplexStatus(address: string, tls: Partial<TlsOptions>): Promise<grpc.status | undefined> {
  const pem = (value: string | Buffer | undefined) => (value === undefined ? null : Buffer.from(value));
  const raw = stub(address, grpc.credentials.createSsl(pem(tls.ca), pem(tls.key), pem(tls.cert)));
  const call = { id: 1, kind: { $case: "tell" as const, value: { region: "accounts", entityId: "a", message: undefined } }, timeoutMs: 0, traceparent: "" };
  const { results, status } = await multiplex(raw, [call], 1);
  raw.close();
  expect(results.size).toBe(0);
  return status;
}

const balance = (client: ClusterClient) => client.ask<number>("accounts", "a", (replyTo: ActorRef<number>) => ({ kind: "getBalance", replyTo }));

describe("gateway TLS", () => {
  it(
    "serves a client with a certificate the cluster's CA signed, and refuses one without a certificate or with another CA's",
    { timeout: 30_000 },
    async () => {
      const address = await node(pki.nodeTls(ca, "node-1"));
      const trusted = pki.nodeTls(ca, "client-1");
      await using client = await ClusterClient.connect({ contactPoints: [address], tls: trusted });
      expect(await balance(client)).toBe(0);

      const anonymous = await failure(ClusterClient.connect({ contactPoints: [address], tls: { ca: ca.cert }, connectTimeout: 1500 }));
      expect(anonymous).toBeInstanceOf(ClusterClientError);
      expect((anonymous as ClusterClientError).code).toBe(grpc.status.UNAVAILABLE); // refused in the TLS handshake
      expect(await multiplexStatus(address, { ca: ca.cert })).toBe(grpc.status.UNAVAILABLE);
      const stranger = await failure(
        ClusterClient.connect({ contactPoints: [address], tls: { ...pki.nodeTls(rogue, "client-2"), ca: ca.cert }, connectTimeout: 1500 }),
      );
      expect((stranger as ClusterClientError).code).toBe(grpc.status.UNAVAILABLE);
      expect(await balance(client)).toBe(0); // the node is unharmed
    },
  );

  it("answers PERMISSION_DENIED to a CA-signed certificate that authorize refuses", { timeout: 30_000 }, async () => {
    const address = await node(pki.nodeTls(ca, "node-2"), { authorize: (certificate) => certificate.subject.CN === "dashboard" });
    await using allowed = await ClusterClient.connect({ contactPoints: [address], tls: pki.nodeTls(ca, "dashboard") });
    expect(await balance(allowed)).toBe(0);
    const intruder = pki.nodeTls(ca, "intruder");
    const denied = await failure(ClusterClient.connect({ contactPoints: [address], tls: intruder }));
    expect((denied as ClusterClientError).code).toBe(grpc.status.PERMISSION_DENIED);
    expect(await multiplexStatus(address, intruder)).toBe(grpc.status.PERMISSION_DENIED);
  });

  it("answers UNAUTHENTICATED when the node asks no client certificate, unless the gateway is open", { timeout: 30_000 }, async () => {
    const closed = await node({ ...pki.nodeTls(ca, "node-3"), requireClientCertificate: false });
    const refused = await failure(ClusterClient.connect({ contactPoints: [closed], tls: { ca: ca.cert } }));
    expect((refused as ClusterClientError).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(await multiplexStatus(closed, { ca: ca.cert })).toBe(grpc.status.UNAUTHENTICATED);

    const open = await node({ ...pki.nodeTls(ca, "node-4"), requireClientCertificate: false }, { open: true });
    await using client = await ClusterClient.connect({ contactPoints: [open], tls: { ca: ca.cert } });
    expect(await balance(client)).toBe(0);
  });
});
