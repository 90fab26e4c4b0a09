// Death watch across the cluster: an actor watching an actor on a node that the cluster removes
// (here cut off by a partition and downed) hears Terminated.
import { afterEach, expect, it } from "vitest";
import { Behaviors, Terminated, type ActorRef, type ClusteredActorSystem } from "../../../src/index.js";
import { freePort } from "../../support/free-port.js";
import { waitFor } from "../../support/wait.js";
import { ClusterNodes } from "./nodes.js";

const nodes = new ClusterNodes();
afterEach(() => nodes.shutdownAll());

const fast = { heartbeatInterval: 200, failureDetector: { acceptableHeartbeatPause: 600 }, downing: { stableAfter: 1000 } };

it("delivers Terminated for actors of a node the cluster removed", async () => {
  const [a, b, c] = (await nodes.cluster(3, fast)) as [ClusteredActorSystem, ClusteredActorSystem, ClusteredActorSystem];
  const target = c.spawn(
    Behaviors.receive<string>(() => Behaviors.same()),
    "target",
  );
  const seen: string[] = [];
  const watcher = a.spawn(
    Behaviors.receive<ActorRef<never> | Terminated>((ctx, msg) => {
      if (msg instanceof Terminated) seen.push(msg.ref.address);
      else ctx.watch(msg);
      return Behaviors.same();
    }),
    "watcher",
  );
  watcher.tell(a.refFor<never>(target.address));
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const other of [a, b]) {
    other.blockPeer(c.selfAddress);
    c.blockPeer(other.selfAddress);
  }
  await waitFor(() => seen.length === 1, 15_000, "Terminated for the removed node's actor");
  expect(seen).toEqual([target.address]);
}, 20_000);

it("delivers Terminated for an actor at an address that is no member once it was unreachable for undeliveredTimeout", async () => {
  const a = await nodes.start({ seedNodes: [], undeliveredTimeout: 300, minBackoff: 20, maxBackoff: 100 });
  await a.cluster.whenUp();
  const seen: string[] = [];
  const ghost = a.refFor<never>(`casty://test@127.0.0.1:${await freePort()}/user/gone`);
  a.spawn(
    Behaviors.setup<Terminated>((ctx) => {
      ctx.watch(ghost);
      return Behaviors.receive((_ctx, msg) => {
        seen.push(msg.ref.address);
        return Behaviors.same();
      });
    }),
    "watcher",
  );
  await waitFor(() => seen.length === 1, 5000, "Terminated for the actor at the unreachable address");
  expect(seen).toEqual([ghost.address]);
  expect(a.deathWatch.pending).toBe(0);
});
