// Nodes joining, talking and leaving again and again: what a long-lived node holds per peer (endpoints,
// gRPC clients, cached refs, gossip and heartbeat streams) returns to its size once they are removed.
import { afterEach, describe, expect, it } from "vitest";
import { Behaviors, MemberRemoved, MemberUp, type ActorRef, type ClusteredActorSystem } from "../../../src/index.js";
import { waitFor } from "../../support/wait.js";
import { ClusterNodes } from "./nodes.js";

const nodes = new ClusterNodes();
afterEach(() => nodes.shutdownAll());

type Ping = { readonly replyTo: ActorRef<string> };
const pong = Behaviors.receive<Ping>((_ctx, msg) => {
  msg.replyTo.tell("pong");
  return Behaviors.same();
});

function held(system: ClusteredActorSystem) {
  const { endpoints, clients, refs } = system.endpoints.counts;
  const { gossip, heartbeat } = system.peerStreams.counts;
  return { endpoints, clients, refs, gossip, heartbeat };
}

describe("churn", () => {
  it("joining and removing many nodes leaves the per-peer maps of a long-lived node at their size", async () => {
    const fast = { heartbeatInterval: 200, gossipInterval: 200 };
    const a = await nodes.start(fast);
    await a.cluster.whenUp(5000);
    a.spawn(pong, "pong");
    const before = held(a);
    const removed = new Set<string>();
    a.cluster.subscribe(MemberRemoved, (e) => removed.add(e.address));
    const up = new Set<string>();
    a.cluster.subscribe(MemberUp, (e) => up.add(e.address));
    for (let round = 0; round < 3; round++) {
      const joiners = await Promise.all([0, 1, 2].map(() => nodes.start({ ...fast, seedNodes: [a.selfAddress] })));
      await waitFor(() => joiners.every((j) => up.has(j.selfAddress)), 10_000, "the joiners Up on the long-lived node");
      for (const joiner of joiners) {
        joiner.spawn(pong, "pong");
        // traffic both ways: a's endpoint, client and cached refs for the joiner, and the joiner's for a
        expect(await joiner.ask(joiner.refFor<Ping>(`${a.addressPrefix}/user/pong`), (replyTo) => ({ replyTo }), { timeout: 5000 })).toBe("pong");
        expect(await a.ask(a.refFor<Ping>(`${joiner.addressPrefix}/user/pong`), (replyTo) => ({ replyTo }), { timeout: 5000 })).toBe("pong");
      }
      expect(held(a).endpoints).toBeGreaterThan(before.endpoints);
      await Promise.all(joiners.map((j) => nodes.stop(j)));
      await waitFor(() => joiners.every((j) => removed.has(j.selfAddress)), 10_000, "the joiners removed");
    }
    await waitFor(() => JSON.stringify(held(a)) === JSON.stringify(before), 5000, `the maps back to ${JSON.stringify(before)}`).catch((error: Error) => {
      throw new Error(`${error.message}; now ${JSON.stringify(held(a))}`);
    });
  });
});
