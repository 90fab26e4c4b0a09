// Two OS processes: this one and a child running fixtures/echo-node.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { ActorRef } from "../../src/index.js";
import { waitFor } from "../support/wait.js";
import { deadLetters, isAssociated, probe, TestNodes, type EchoMsg } from "./fixtures/nodes.js";

const nodes = new TestNodes();
let child: ChildProcess | undefined;

afterEach(async () => {
  await nodes.shutdownAll();
  if (child !== undefined && child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await once(child, "exit");
  }
  child = undefined;
});

/** Starts the echo node in a child process and reads the line it prints. */
async function startChild(): Promise<{ process: ChildProcess; port: number; echo: string }> {
  const script = fileURLToPath(new URL("./fixtures/echo-node.ts", import.meta.url));
  const proc = spawn(process.execPath, ["--import", "tsx", script, "test"], { stdio: ["pipe", "pipe", "pipe"] });
  child = proc;
  let stdout = "";
  let stderr = "";
  proc.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  await waitFor(() => stdout.includes("\n") || proc.exitCode !== null, 15_000, "the child's port line");
  if (!stdout.includes("\n")) throw new Error(`the child exited with ${proc.exitCode}: ${stderr}`);
  const { port, echo } = JSON.parse(stdout.slice(0, stdout.indexOf("\n"))) as { port: number; echo: string };
  return { process: proc, port, echo };
}

describe("two OS processes", () => {
  it("asks an echo actor in a child process and gets replies back across processes", async () => {
    const remote = await startChild();
    expect(remote.echo).toBe(`casty://test@127.0.0.1:${remote.port}/user/echo`);
    expect(remote.process.pid).not.toBe(process.pid);
    const a = await nodes.start();
    const echo = a.refFor<EchoMsg>(remote.echo);

    await expect(a.ask(echo, (replyTo: ActorRef<unknown>) => ({ kind: "echo", value: "across", replyTo }), { timeout: 5000 })).resolves.toBe("across");
    const values = Array.from({ length: 500 }, (_, i) => ({ i, tag: `v${i}` }));
    const replies = await Promise.all(
      values.map((value) => a.ask(echo, (replyTo: ActorRef<unknown>) => ({ kind: "echo", value, replyTo }), { timeout: 5000 })),
    );
    expect(replies).toEqual(values);

    // A ref of this process inside a message: the child tells it back.
    const inbox = probe(a, "inbox");
    echo.tell({ kind: "echo", value: "to the inbox", replyTo: inbox.ref });
    await waitFor(() => inbox.received.length === 1, 5000, "the child's tell to our inbox");
    expect(inbox.received).toEqual(["to the inbox"]);

    // Closing stdin asks the child to shut down cleanly.
    remote.process.stdin!.end();
    const [code] = (await once(remote.process, "exit")) as [number | null];
    expect(code).toBe(0);
  });

  it("turns messages to a killed child process into dead letters", async () => {
    const remote = await startChild();
    const a = await nodes.start({ undeliveredTimeout: 300, minBackoff: 20, maxBackoff: 100 });
    const echo = a.refFor<EchoMsg>(remote.echo);
    await expect(a.ask(echo, (replyTo: ActorRef<unknown>) => ({ kind: "echo", value: 1, replyTo }), { timeout: 5000 })).resolves.toBe(1);

    remote.process.kill("SIGKILL");
    await once(remote.process, "exit");
    await waitFor(() => !isAssociated(echo), 5000, "A noticing the dead peer");
    const letters = deadLetters(a);
    const inbox = probe(a, "inbox");
    for (let i = 0; i < 10; i++) echo.tell({ kind: "echo", value: i, replyTo: inbox.ref });
    await waitFor(() => letters.length === 10, 5000, "ten dead letters");
    expect(letters.every((l) => l.recipient === echo && l.reason.includes("unreachable"))).toBe(true);
    expect(inbox.received).toHaveLength(0);
  });
});
