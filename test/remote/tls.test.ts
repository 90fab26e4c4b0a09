// Mutual TLS with certificates generated at test time.
import * as grpc from "@grpc/grpc-js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InvalidOptionError, RemoteActorSystem, type ActorRef, type TlsOptions } from "../../src/index.js";
import { sleep, waitFor } from "../support/wait.js";
import { TestPki, type Ca } from "./fixtures/certs.js";
import { deadLetters, echo, probe, remoteRef, TestNodes } from "./fixtures/nodes.js";

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

let pki: TestPki;
let trusted: Ca;
let rogue: Ca;
beforeAll(() => {
  pki = new TestPki();
  trusted = pki.createCa("casty-test-ca");
  rogue = pki.createCa("rogue-ca");
});
afterAll(() => pki?.cleanup());

const fastGiveUp = { undeliveredTimeout: 300, minBackoff: 20, maxBackoff: 100 };

describe("mutual TLS", () => {
  it("lets two nodes with certificates from the same CA talk (tell and ask)", async () => {
    const a = await nodes.start({ tls: pki.nodeTls(trusted, "node-a") });
    const b = await nodes.start({ tls: pki.nodeTls(trusted, "node-b") });
    const inbox = probe<string>(b, "inbox");
    remoteRef(a, inbox.ref).tell("over tls");
    await waitFor(() => inbox.received.length === 1, 5000, "the message over TLS");
    const echoOnB = remoteRef(a, b.spawn(echo, "echo"));
    await expect(a.ask(echoOnB, (replyTo: ActorRef<unknown>) => ({ kind: "echo", value: "ping", replyTo }), { timeout: 5000 })).resolves.toBe("ping");
  });

  it("refuses a node whose certificate another CA signed: its message becomes a dead letter, the receiver never gets it", async () => {
    const b = await nodes.start({ tls: pki.nodeTls(trusted, "node-b") });
    const inbox = probe<string>(b, "inbox");
    // Trusts the same CA (so it would accept B's certificate) but presents a certificate of the rogue CA.
    const rogueTls: TlsOptions = { ...pki.nodeTls(rogue, "intruder"), ca: trusted.cert };
    const intruder = await nodes.start({ tls: rogueTls, ...fastGiveUp });
    const letters = deadLetters(intruder);
    remoteRef(intruder, inbox.ref).tell("let me in");
    await waitFor(() => letters.length === 1, 5000, "the intruder's dead letter");
    expect(letters[0].message).toBe("let me in");
    expect(letters[0].reason).toContain("unreachable");
    await sleep(200);
    expect(inbox.received).toHaveLength(0);
  });

  it("refuses a node that trusts nothing of ours either (wholly different CA)", async () => {
    const b = await nodes.start({ tls: pki.nodeTls(trusted, "node-b") });
    const inbox = probe<string>(b, "inbox");
    const intruder = await nodes.start({ tls: pki.nodeTls(rogue, "outsider"), ...fastGiveUp });
    const letters = deadLetters(intruder);
    remoteRef(intruder, inbox.ref).tell("hello");
    await waitFor(() => letters.length === 1, 5000, "the outsider's dead letter");
    await sleep(200);
    expect(inbox.received).toHaveLength(0);
  });

  it("refuses a node without TLS", async () => {
    const b = await nodes.start({ tls: pki.nodeTls(trusted, "node-b") });
    const inbox = probe<string>(b, "inbox");
    const plain = await nodes.start(fastGiveUp);
    const letters = deadLetters(plain);
    remoteRef(plain, inbox.ref).tell("plaintext");
    await waitFor(() => letters.length === 1, 5000, "the plaintext node's dead letter");
    await sleep(200);
    expect(inbox.received).toHaveLength(0);
  });

  it("fails at start with an InvalidOptionError when tls.cert is missing", async () => {
    const { ca, key } = pki.nodeTls(trusted, "incomplete");
    const start = RemoteActorSystem.start({ port: 0, logLevel: "silent", tls: { ca, key } as TlsOptions });
    await expect(start).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(start).rejects.toThrow(/tls\.cert is missing/);
  });

  it("requires a client certificate unless requireClientCertificate is false (server-only TLS)", async () => {
    // a raw client that trusts the CA but presents no certificate of its own
    const handshake = async (port: number): Promise<string> => {
      const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createSsl(Buffer.from(trusted.cert)));
      try {
        return await new Promise<string>((resolve) => {
          const call = client.makeBidiStreamRequest(
            "/casty.v1.RemotingService/Connect",
            (b: Buffer) => b,
            (b: Buffer) => b,
          );
          call.on("data", () => resolve("answered"));
          call.on("error", (error: grpc.ServiceError) => resolve(`error ${error.code}`));
          call.write(Buffer.from([0x0a, 0x00])); // an empty handshake: any answer proves the TLS session was accepted
        });
      } finally {
        client.close();
      }
    };
    const mutual = await nodes.start({ tls: pki.nodeTls(trusted, "mutual") });
    expect(await handshake(mutual.port)).toBe(`error ${grpc.status.UNAVAILABLE}`);
    const serverOnly = await nodes.start({ tls: { ...pki.nodeTls(trusted, "server-only"), requireClientCertificate: false } });
    expect(await handshake(serverOnly.port)).toBe("answered");
  });
});
