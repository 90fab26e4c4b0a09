// Receptionist and topic on three nodes in this process: listings spread, stopped actors and removed
// nodes drop out; every subscriber on every node gets each message once, in order per publisher.
import { afterEach, describe, expect, it } from "vitest";
import { Behaviors, DeadLetter, type ActorRef, type ClusteredActorSystem } from "../../src/index.js";
import { Receptionist } from "../../src/cluster-tools/receptionist.js";
import { ServiceKey } from "../../src/cluster-tools/service-key.js";
import { Topics } from "../../src/cluster-tools/topic.js";
import { waitFor } from "../support/wait.js";
import { Nodes } from "../distributed/fixtures/cluster.js";

type Work = { readonly kind: "work"; readonly n: number } | { readonly kind: "stop" };
const Workers = new ServiceKey<Work>("workers");

let nodes: Nodes;
afterEach(async () => {
  await nodes.shutdownAll();
});

async function threeNodes(): Promise<ClusteredActorSystem[]> {
  nodes = new Nodes();
  const all = await nodes.cluster(3);
  for (const system of all) {
    Receptionist.of(system); // every node runs one from its start
    Topics.of(system);
  }
  return all;
}

/** Records what it gets; stops on "stop". */
function recorder<M>(got: M[]) {
  return Behaviors.receive<M | { readonly kind: "stop" }>((_ctx, msg) => {
    if ((msg as { kind?: string }).kind === "stop") return Behaviors.stopped();
    got.push(msg as M);
    return Behaviors.same();
  });
}

function addresses(refs: readonly ActorRef<unknown>[]): string {
  return refs
    .map((r) => r.address)
    .sort()
    .join();
}

describe("receptionist", () => {
  it("spreads registrations to every node; subscribers hear changes; stopped actors and removed nodes drop out", async () => {
    const [a, b, c] = await threeNodes();
    const onA = a.spawn(recorder<Work>([]), "worker-a");
    const onB = b.spawn(recorder<Work>([]), "worker-b");
    const onC = c.spawn(recorder<Work>([]), "worker-c");
    Receptionist.of(a).register(Workers, onA);
    Receptionist.of(b).register(Workers, onB);
    Receptionist.of(c).register(Workers, onC);
    const seen: string[] = [];
    Receptionist.of(a).subscribe(Workers, (refs) => seen.push(addresses(refs)));
    const all = addresses([onA, onB, onC]);
    const listedEverywhere = (expected: string) => () => nodes.systems.every((s) => addresses(Receptionist.of(s).find(Workers)) === expected);
    await waitFor(listedEverywhere(all), 10_000, "three workers listed everywhere");
    expect(seen.at(-1)).toBe(all);

    onA.tell({ kind: "stop" });
    await waitFor(listedEverywhere(addresses([onB, onC])), 10_000, "the stopped worker gone everywhere");
    expect(seen.at(-1)).toBe(addresses([onB, onC]));

    await nodes.stop(b);
    await waitFor(listedEverywhere(addresses([onC])), 10_000, "the removed node's worker gone everywhere");
    expect(seen.at(-1)).toBe(addresses([onC]));

    // a node that joins now learns the listing, and its registrations reach the others
    const d = await nodes.start([a.selfAddress]);
    await d.cluster.whenUp(15_000);
    const onD = d.spawn(recorder<Work>([]), "worker-d");
    Receptionist.of(d).register(Workers, onD);
    await waitFor(listedEverywhere(addresses([onC, onD])), 10_000, "the joined node's worker listed everywhere");
    expect(addresses(Receptionist.of(d).find(Workers))).toBe(addresses([onC, onD]));
  });
});

describe("topic", () => {
  it("every subscriber on every node gets each message once, in publish order per publisher; stopped subscribers are removed", async () => {
    const all = await threeNodes();
    const got = all.map(() => [] as { from: number; n: number }[]);
    const extra: { from: number; n: number }[] = [];
    const subscribers = all.map((system, i) => system.spawn(recorder(got[i]), "subscriber"));
    const leaving = all[0].spawn(recorder(extra), "short-lived");
    for (const [i, system] of all.entries()) Topics.of(system).topic<{ from: number; n: number }>("news").subscribe(subscribers[i]);
    Topics.of(all[0]).topic("news").subscribe(leaving);
    await waitFor(
      () => all.every((s) => Receptionist.of(s).find(new ServiceKey("casty.topic.news")).length === 3),
      10_000,
      "three topic nodes listed everywhere",
    );

    for (let n = 0; n < 100; n++) for (const [from, system] of all.entries()) Topics.of(system).topic<{ from: number; n: number }>("news").publish({ from, n });
    await waitFor(() => got.every((g) => g.length === 300) && extra.length === 300, 10_000, "300 messages at every subscriber");
    for (const received of [...got, extra]) {
      for (let from = 0; from < 3; from++) expect(received.filter((m) => m.from === from).map((m) => m.n)).toEqual([...Array(100).keys()]);
    }

    const deadLetters: unknown[] = [];
    all[0].eventStream.subscribe(DeadLetter, (d) => {
      if (d.recipient?.path === leaving.path) deadLetters.push(d.message);
    });
    leaving.tell({ kind: "stop" });
    await waitFor(() => all[0].lookup(leaving.path) === undefined, 5000, "the short-lived subscriber stopped");
    await new Promise((resolve) => setTimeout(resolve, 50));
    Topics.of(all[1]).topic<{ from: number; n: number }>("news").publish({ from: 1, n: 100 });
    await waitFor(() => got.every((g) => g.length === 301), 10_000, "one more message at every subscriber");
    expect(extra.length).toBe(300);
    expect(deadLetters).toEqual([]);
  });
});
