// Own services with the node's transport settings: mutual TLS refuses a client without a certificate,
// and a request over the node's maxMessageSize is RESOURCE_EXHAUSTED (unary and in a stream).
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountServiceService } from "../../examples/bank-service/gen/bank/v1/bank.js";
import { accountService } from "../../examples/bank-service/service.js";
import type { TlsOptions } from "../../src/index.js";
import { channelCredentials } from "../../src/remote/tls.js";
import { TestPki } from "../remote/fixtures/certs.js";
import { escapes } from "../support/escapes.js";
import { bankClient, BankNodes, collect, failureOf, unary, type BankNode } from "./fixtures/bank.js";

const escaped = escapes();
const pki = new TestPki();
const ca = pki.createCa("services-ca");
const nodes = new BankNodes();
const MAX = 4096;
let node: BankNode;
let trusted: TlsOptions;

beforeAll(async () => {
  [node] = await nodes.cluster(1, { tls: pki.nodeTls(ca, "node-1"), maxMessageSize: MAX });
  node.system.grpc.addService(AccountServiceService, accountService(node.accounts));
  trusted = pki.nodeTls(ca, "client-1");
}, 30_000);

afterAll(async () => {
  await nodes.shutdownAll();
  pki.cleanup();
  escaped.assertNone();
}, 30_000);

describe("own gRPC services: TLS and message size", () => {
  it("serves a client with a certificate of the cluster's CA and refuses one without a certificate", async () => {
    const client = bankClient(node.system.selfAddress, channelCredentials(trusted));
    const anonymous = bankClient(node.system.selfAddress, grpc.credentials.createSsl(Buffer.from(ca.cert)));
    try {
      expect(await unary((...args) => client.deposit({ accountId: "tls", amount: 3 }, ...args))).toEqual({ balance: 3 });
      const refused = await failureOf(unary((...args) => anonymous.getBalance({ accountId: "tls" }, ...args), 2000));
      expect(refused?.code).toBe(grpc.status.UNAVAILABLE); // refused in the handshake
      expect(await unary((...args) => client.getBalance({ accountId: "tls" }, ...args))).toEqual({ balance: 3 });
    } finally {
      client.close();
      anonymous.close();
    }
  });

  it("answers RESOURCE_EXHAUSTED to a request over maxMessageSize, unary or in a bidi stream, and serves the next one", async () => {
    const client = bankClient(node.system.selfAddress, channelCredentials(trusted));
    const huge = "x".repeat(MAX + 1);
    try {
      const unaryFailure = await failureOf(unary((...args) => client.deposit({ accountId: huge, amount: 1 }, ...args)));
      expect(unaryFailure?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      const call = client.operate();
      const replies = collect(call);
      call.write({ accountId: "size", amount: 1 });
      call.write({ accountId: huge, amount: 1 });
      expect((await failureOf(replies))?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      const history = await failureOf(collect(client.history({ accountId: huge })));
      expect(history?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(await unary((...args) => client.getBalance({ accountId: "size" }, ...args))).toEqual({ balance: 1 });
    } finally {
      client.close();
    }
  });

  it("answers RESOURCE_EXHAUSTED to a unary response over maxMessageSize", async () => {
    const identity = (bytes: Buffer): Buffer => bytes;
    const blob = {
      get: { path: "/test.v1.Blob/Get", requestStream: false, responseStream: false, requestDeserialize: identity, responseSerialize: identity },
    } as const;
    node.system.grpc.addService(blob, { get: ({ request }) => Buffer.alloc(request.length * 100) });
    const raw = new grpc.Client(node.system.selfAddress, channelCredentials(trusted));
    const get = (size: number) =>
      new Promise<Buffer>((resolve, reject) =>
        raw.makeUnaryRequest(blob.get.path, identity, identity, Buffer.alloc(size), (error, response) => (error ? reject(error) : resolve(response!))),
      );
    try {
      expect((await get(10)).length).toBe(1000);
      expect((await failureOf(get(MAX / 50)))?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      raw.close();
    }
  });
});
