// Death watch across nodes: a local actor watching a remote ref hears Terminated when the remote
// actor stops, when it is already gone, and when its node restarts as a new incarnation.
import { afterEach, describe, expect, it } from "vitest";
import { Behaviors, Terminated, type ActorRef } from "../../src/index.js";
import { freePort } from "../support/free-port.js";
import { waitFor } from "../support/wait.js";
import { TestNodes } from "./fixtures/nodes.js";

const nodes = new TestNodes();
afterEach(() => nodes.shutdownAll());

type WatcherMsg = { readonly kind: "watch" | "unwatch"; readonly ref: ActorRef<never> } | Terminated;

function watcher(seen: string[]) {
  return Behaviors.receive<WatcherMsg>((ctx, msg) => {
    if (msg instanceof Terminated) seen.push(msg.ref.address);
    else if (msg.kind === "watch") ctx.watch(msg.ref);
    else ctx.unwatch(msg.ref);
    return Behaviors.same();
  });
}

const stopOnMessage = Behaviors.receive<string>(() => Behaviors.stopped());

describe("remote death watch", () => {
  it("delivers Terminated when the remote actor stops", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const target = b.spawn(stopOnMessage, "target");
    const seen: string[] = [];
    const w = a.spawn(watcher(seen), "watcher");
    const remote = a.refFor<string>(target.address);
    w.tell({ kind: "watch", ref: remote });
    await waitFor(() => b.lookup("/system/remote-watch") !== undefined, 1000);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the watch reaches B before the stop
    remote.tell("stop");
    await waitFor(() => seen.length === 1, 5000, "Terminated from the remote node");
    expect(seen).toEqual([target.address]);
  });

  it("delivers Terminated at once for a remote actor that does not exist", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const seen: string[] = [];
    const w = a.spawn(watcher(seen), "watcher");
    const ghost = a.refFor<never>(`${b.addressPrefix}/user/nobody`);
    w.tell({ kind: "watch", ref: ghost });
    await waitFor(() => seen.length === 1, 5000, "Terminated for a missing actor");
    expect(seen).toEqual([ghost.address]);
  });

  it("unwatch stops the notices", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const target = b.spawn(stopOnMessage, "target");
    const seen: string[] = [];
    const w = a.spawn(watcher(seen), "watcher");
    const remote = a.refFor<string>(target.address);
    w.tell({ kind: "watch", ref: remote });
    w.tell({ kind: "unwatch", ref: remote });
    await new Promise((resolve) => setTimeout(resolve, 50));
    remote.tell("stop");
    await waitFor(() => b.lookup("/user/target") === undefined, 5000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen).toEqual([]);
  });

  it("Terminated still arrives when the connection breaks between the watch and the termination", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const target = b.spawn(stopOnMessage, "target");
    const seen: string[] = [];
    const w = a.spawn(watcher(seen), "watcher");
    w.tell({ kind: "watch", ref: a.refFor<never>(target.address) });
    await waitFor(() => b.deathWatch.watchedForOthers === 1, 5000, "the watch registered on B");
    await waitFor(() => a.deathWatch.pending === 0, 5000, "the watch acknowledged");
    a.blockPeer(b.selfAddress);
    b.blockPeer(a.selfAddress);
    target.tell("stop");
    await waitFor(() => b.deathWatch.pending === 1, 5000, "the death notice waiting for its acknowledgement");
    await new Promise((resolve) => setTimeout(resolve, 300)); // a resend or two go nowhere
    expect(seen).toEqual([]);
    a.unblockPeer(b.selfAddress);
    b.unblockPeer(a.selfAddress);
    await waitFor(() => seen.length === 1, 5000, "Terminated after the connection came back");
    expect(seen).toEqual([target.address]);
    await waitFor(() => b.deathWatch.pending === 0, 5000, "the death notice acknowledged");
  });

  it("a watch sent while the connection is down reaches the target's node once it is back", async () => {
    const a = await nodes.start();
    const b = await nodes.start();
    const target = b.spawn(stopOnMessage, "target");
    const seen: string[] = [];
    const w = a.spawn(watcher(seen), "watcher");
    a.blockPeer(b.selfAddress);
    w.tell({ kind: "watch", ref: a.refFor<never>(target.address) });
    await waitFor(() => a.deathWatch.pending === 1, 5000, "the watch waiting for its acknowledgement");
    target.tell("stop");
    await waitFor(() => b.lookup("/user/target") === undefined, 5000, "the target stopped");
    a.unblockPeer(b.selfAddress);
    await waitFor(() => seen.length === 1, 5000, "Terminated once the watch got through");
    expect(seen).toEqual([target.address]);
  });

  describe("a peer that is gone", () => {
    // nothing listens there; the watch gives up once the peer was unreachable for undeliveredTimeout
    const options = { undeliveredTimeout: 300, minBackoff: 20, maxBackoff: 100 };

    it("delivers Terminated once the peer was unreachable for undeliveredTimeout, and stops re-sending", async () => {
      const a = await nodes.start(options);
      const seen: string[] = [];
      const w = a.spawn(watcher(seen), "watcher");
      const ghost = a.refFor<never>(`casty://test@127.0.0.1:${await freePort()}/user/gone`);
      w.tell({ kind: "watch", ref: ghost });
      await waitFor(() => seen.length === 1, 5000, "Terminated for the actor on the gone peer");
      expect(seen).toEqual([ghost.address]);
      expect(a.deathWatch.pending).toBe(0);
    });

    it("stops re-sending to it after the watcher stopped", async () => {
      const a = await nodes.start(options);
      const ghost = a.refFor<never>(`casty://test@127.0.0.1:${await freePort()}/user/gone`);
      const w = a.spawn(
        Behaviors.setup<string>((ctx) => {
          ctx.watch(ghost);
          return stopOnMessage;
        }),
        "watcher",
      );
      await waitFor(() => a.deathWatch.pending === 1, 5000, "the watch waiting for its acknowledgement");
      w.tell("stop");
      await waitFor(() => a.deathWatch.pending === 0, 5000, "the watch and unwatch given up");
    });
  });
});
