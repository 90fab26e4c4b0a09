// Starting and stopping a remoting node: option validation, ports, and use after shutdown.
import { afterEach, describe, expect, it, vi } from "vitest";
import { BindError, InvalidOptionError, RemoteActorSystem, type RemoteOptions } from "../../src/index.js";
import { waitFor } from "../support/wait.js";
import { deadLetters, probe, TestNodes } from "./fixtures/nodes.js";

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  const node = await nodes.start();
  const port = node.port;
  await nodes.stop(node);
  return port;
}

describe("starting a node", () => {
  it("reports the bound port for port 0 and advertises it in addresses", async () => {
    const node = await nodes.start();
    expect(node.port).toBeGreaterThan(0);
    expect(node.selfAddress).toBe(`127.0.0.1:${node.port}`);
    expect(probe(node, "x").ref.address).toBe(`casty://test@127.0.0.1:${node.port}/user/x`);
  });

  it.each<[string, RemoteOptions, RegExp]>([
    ["an invalid system name", { name: "bad name!" }, /invalid system name/],
    ["maxMessageSize 0", { maxMessageSize: 0 }, /maxMessageSize must be a positive integer/],
    ["a negative outboundQueueSize", { outboundQueueSize: -1 }, /outboundQueueSize/],
    ["maxBackoff below minBackoff", { minBackoff: 500, maxBackoff: 100 }, /maxBackoff must not be below minBackoff/],
    ["a zero undeliveredTimeout", { undeliveredTimeout: 0 }, /undeliveredTimeout/],
  ])("rejects %s with an InvalidOptionError and leaves the port free", async (_what, options, message) => {
    const port = await freePort();
    const start = RemoteActorSystem.start({ host: "127.0.0.1", port, logLevel: "silent", ...options });
    await expect(start).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(start).rejects.toThrow(message);
    const node = await nodes.start({ port });
    expect(node.port).toBe(port);
  });

  it("rejects a port out of range", async () => {
    await expect(RemoteActorSystem.start({ port: 70_000, logLevel: "silent" })).rejects.toThrow(InvalidOptionError);
  });

  it("fails with a BindError naming the address and the cause, and nothing from grpc-js on stderr", async () => {
    const first = await nodes.start();
    const stderr = vi.spyOn(console, "error");
    try {
      const error = await RemoteActorSystem.start({ host: "127.0.0.1", port: first.port, logLevel: "silent" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BindError);
      const bind = error as BindError;
      expect(bind.address).toBe(`127.0.0.1:${first.port}`);
      expect(bind.message).toMatch(new RegExp(`cannot bind 127\\.0\\.0\\.1:${first.port}: .+choose another port`));
      expect(bind.cause).toBeInstanceOf(Error);
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
    }
  });
});

describe("after shutdown", () => {
  it("turns tells to remote refs into dead letters and frees the port", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const inbox = probe<string>(b, "inbox");
    const ref = a.refFor<string>(inbox.ref.address);
    ref.tell("before");
    await waitFor(() => inbox.received.length === 1, 5000, "the first message");
    const letters = deadLetters(a);
    const port = a.port;
    await nodes.stop(a);
    await a.shutdown(); // a second shutdown is harmless
    ref.tell("after");
    expect(letters.map((l) => [l.message, l.reason])).toEqual([["after", "remoting is shut down"]]);
    const again = await nodes.start({ port });
    expect(again.port).toBe(port);
  });
});
