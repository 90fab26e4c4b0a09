// Tell, ask and refs across two and three nodes in one process.
import { afterEach, describe, expect, it } from "vitest";
import { AskTimeoutError, Behaviors, DeadLetter, RemoteActorRef, type ActorRef } from "../../src/index.js";
import { waitFor } from "../support/wait.js";
import { deadLetters, echo, probe, remoteRef, TestNodes, type EchoMsg } from "./fixtures/nodes.js";

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

describe("two nodes", () => {
  it("delivers a tell to an actor on the other node", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const inbox = probe<{ kind: string; n: number }>(b, "inbox");
    const ref = remoteRef(a, inbox.ref);
    expect(ref.address).toBe(`casty://test@127.0.0.1:${b.port}/user/inbox`);
    ref.tell({ kind: "hello", n: 1 });
    ref.tell({ kind: "hello", n: 2 });
    await waitFor(() => inbox.received.length === 2, 5000, "two remote messages");
    expect(inbox.received).toEqual([
      { kind: "hello", n: 1 },
      { kind: "hello", n: 2 },
    ]);
  });

  it("answers an ask: the reply travels back to the asker's temporary ref", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const seenReplyTo: string[] = [];
    b.spawn(
      Behaviors.receive<EchoMsg>((_ctx, msg) => {
        seenReplyTo.push(msg.replyTo.address);
        msg.replyTo.tell({ echoed: msg.value });
        return Behaviors.same();
      }),
      "echo",
    );
    const ref = a.refFor<EchoMsg>(`casty://test@127.0.0.1:${b.port}/user/echo`);
    const reply = await a.ask(ref, (replyTo: ActorRef<unknown>) => ({ kind: "echo", value: { big: 10n ** 20n, when: new Date(0) }, replyTo }), {
      timeout: 5000,
    });
    expect(reply).toEqual({ echoed: { big: 10n ** 20n, when: new Date(0) } });
    expect(seenReplyTo[0]).toMatch(new RegExp(`^casty://test@127\\.0\\.0\\.1:${a.port}/temp/`));
    // Many asks in flight at once each get their own reply.
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => a.ask(ref, (replyTo: ActorRef<unknown>) => ({ kind: "echo", value: i, replyTo }), { timeout: 5000 })),
    );
    expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => ({ echoed: i })));
    expect(a.asks.pendingCount).toBe(0);
  });

  it("fails an unanswered remote ask with AskTimeoutError; a late reply becomes a dead letter on the asker", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const silent = probe<EchoMsg>(b, "silent");
    const letters = deadLetters(a);
    const started = Date.now();
    const error = await a
      .ask(remoteRef(a, silent.ref), (replyTo: ActorRef<unknown>) => ({ kind: "echo", value: 1, replyTo }), { timeout: 300 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AskTimeoutError);
    expect((error as Error).message).toContain(`/user/silent timed out after 300 ms`);
    expect(Date.now() - started).toBeLessThan(2000);
    // The request did arrive; answering now is too late.
    expect(silent.received).toHaveLength(1);
    silent.received[0].replyTo.tell("too late");
    await waitFor(() => letters.some((l) => l.message === "too late"), 5000, "the late reply as a dead letter on A");
  });

  it("carries reply refs inside messages and a deserialized ref delivers back to its origin", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    b.spawn(echo, "echo");
    const answers = probe(a, "answers");
    const seen: ActorRef<unknown>[] = [];
    b.spawn(
      Behaviors.receive<{ kind: "remember"; ref: ActorRef<unknown> }>((_ctx, msg) => {
        seen.push(msg.ref);
        msg.ref.tell("from b");
        return Behaviors.same();
      }),
      "rememberer",
    );
    remoteRef(a, b.lookup<EchoMsg>("/user/echo")!).tell({ kind: "echo", value: "pong", replyTo: answers.ref });
    remoteRef(a, b.lookup<{ kind: "remember"; ref: ActorRef<unknown> }>("/user/rememberer")!).tell({ kind: "remember", ref: answers.ref });
    await waitFor(() => answers.received.length === 2, 5000, "both replies on A");
    expect(answers.received).toEqual(expect.arrayContaining(["pong", "from b"]));
    expect(seen[0]).toBeInstanceOf(RemoteActorRef);
    expect(seen[0].address).toBe(`casty://test@127.0.0.1:${a.port}/user/answers`);
    expect(seen[0].path).toBe("/user/answers");
    expect(seen[0].equals(answers.ref)).toBe(true);
  });

  it("carries refs nested in arrays, maps, sets and objects, and each tells back to its origin", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const targets = [probe<string>(a, "t0"), probe<string>(a, "t1"), probe<string>(a, "t2"), probe<string>(a, "t3"), probe<string>(a, "t4")];
    type Fanout = {
      kind: "fanout";
      list: ActorRef<string>[];
      byName: Map<string, ActorRef<string>>;
      keyed: Map<ActorRef<string>, string>;
      set: Set<ActorRef<string>>;
      deep: { level: { ref: ActorRef<string> }[] };
    };
    b.spawn(
      Behaviors.receive<Fanout>((_ctx, msg) => {
        for (const ref of msg.list) ref.tell("list");
        for (const [name, ref] of msg.byName) ref.tell(`map:${name}`);
        for (const [ref, label] of msg.keyed) ref.tell(`key:${label}`);
        for (const ref of msg.set) ref.tell("set");
        msg.deep.level[0].ref.tell("deep");
        return Behaviors.same();
      }),
      "fanout",
    );
    const refs = targets.map((t) => t.ref);
    remoteRef(a, b.lookup<Fanout>("/user/fanout")!).tell({
      kind: "fanout",
      list: [refs[0], refs[1]],
      byName: new Map([["two", refs[2]]]),
      keyed: new Map([[refs[3], "three"]]),
      set: new Set([refs[4]]),
      deep: { level: [{ ref: refs[0] }] },
    });
    await waitFor(() => targets.reduce((n, t) => n + t.received.length, 0) === 6, 5000, "six tells back to A");
    expect(targets.map((t) => t.received.sort())).toEqual([["deep", "list"], ["list"], ["map:two"], ["key:three"], ["set"]]);
  });

  it("a message to a path where nothing lives becomes a dead letter on the receiving node", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const letters = deadLetters(b);
    a.refFor<string>(`casty://test@127.0.0.1:${b.port}/user/nobody`).tell("anyone?");
    await waitFor(() => letters.length === 1, 5000, "a dead letter on B");
    expect(letters[0].message).toBe("anyone?");
    expect(letters[0].recipient?.path).toBe("/user/nobody");
  });
});

describe("three nodes", () => {
  it("A gets a ref to an actor on C from B, tells it, and C receives", async () => {
    const [a, b, c] = [await nodes.start(), await nodes.start(), await nodes.start()];
    const target = probe<string>(c, "target");
    const onC = remoteRef(b, target.ref);
    type Directory = { kind: "where"; replyTo: ActorRef<ActorRef<string>> };
    b.spawn(
      Behaviors.receive<Directory>((_ctx, msg) => {
        msg.replyTo.tell(onC);
        return Behaviors.same();
      }),
      "directory",
    );
    const found = await a.ask(remoteRef(a, b.lookup<Directory>("/user/directory")!), (replyTo: ActorRef<ActorRef<string>>) => ({ kind: "where", replyTo }), {
      timeout: 5000,
    });
    expect(found).toBeInstanceOf(RemoteActorRef);
    expect(found.address).toBe(`casty://test@127.0.0.1:${c.port}/user/target`);
    found.tell("via b");
    await waitFor(() => target.received.length === 1, 5000, "C receives A's message");
    expect(target.received).toEqual(["via b"]);
    // B relayed nothing: the message went from A straight to C.
    expect(a.refFor(target.ref.address)).toBe(found);
  });
});

describe("three nodes, replies", () => {
  it("a third node answers an ask: the reply goes straight to the asker's temporary ref", async () => {
    const [a, b, c] = [await nodes.start(), await nodes.start(), await nodes.start()];
    c.spawn(echo, "echo");
    const echoOnC = remoteRef(b, c.lookup<EchoMsg>("/user/echo")!);
    // B forwards the request unchanged to C, which replies to A's temp ref.
    b.spawn(
      Behaviors.receive<EchoMsg>((_ctx, msg) => {
        echoOnC.tell(msg);
        return Behaviors.same();
      }),
      "forwarder",
    );
    const forwarder = remoteRef(a, b.lookup<EchoMsg>("/user/forwarder")!);
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => a.ask(forwarder, (replyTo: ActorRef<unknown>) => ({ kind: "echo", value: i, replyTo }), { timeout: 5000 })),
    );
    expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe("unreachable peer", () => {
  it("turns messages to a node that is not there into dead letters after undeliveredTimeout", async () => {
    const a = await nodes.start({ undeliveredTimeout: 300, minBackoff: 20, maxBackoff: 100 });
    // A port that was free a moment ago: bind a node, note its port, shut it down.
    const gone = await nodes.start();
    const port = gone.port;
    await nodes.stop(gone);
    const letters = deadLetters(a);
    const ref = a.refFor<string>(`casty://test@127.0.0.1:${port}/user/x`);
    const started = Date.now();
    for (let i = 0; i < 10; i++) ref.tell(`m${i}`);
    await waitFor(() => letters.length === 10, 5000, "ten dead letters");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(letters.map((l) => l.message)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
    expect(letters[0].recipient).toBe(ref);
    expect(letters[0].reason).toContain(`127.0.0.1:${port} unreachable`);
    expect(letters.every((l) => l instanceof DeadLetter)).toBe(true);
  });
});
