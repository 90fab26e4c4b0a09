// The members of ClusteredActorSystem for distributed data and the cluster tools, on three nodes:
// a node that never used a structure, a topic or the receptionist still serves them.
import { afterEach, describe, expect, it } from "vitest";
import { Behaviors, ServiceKey, type ActorRef } from "../../src/index.js";
import { waitFor } from "../support/wait.js";
import { Nodes } from "../distributed/fixtures/cluster.js";

let nodes: Nodes;
afterEach(async () => {
  await nodes.shutdownAll();
});

describe("system.distributed, system.singleton, system.receptionist, system.topic", () => {
  it("work from any node without the others having used them", async () => {
    nodes = new Nodes();
    const [a, b, c] = await nodes.cluster(3);
    // only node a uses the counter: its shards land on b and c too, which host them from their start
    const views = a.distributed().counter("views", { shards: 30 });
    const values = await Promise.all(Array.from({ length: 90 }, () => views.increment()));
    expect(Math.max(...values)).toBe(90);
    expect(await c.distributed().counter("views", { shards: 30 }).get()).toBe(90);

    const where = [a, b, c].map((s) =>
      s.singleton(
        Behaviors.receive<{ readonly replyTo: ActorRef<string> }>((_ctx, msg) => {
          msg.replyTo.tell(s.selfAddress);
          return Behaviors.same();
        }),
        "where",
      ),
    );
    const oldest = [...a.cluster.state.members].sort((x, y) => x.upNumber - y.upNumber)[0].address;
    for (const [i, system] of [a, b, c].entries()) {
      expect(await system.ask(where[i], (replyTo: ActorRef<string>) => ({ replyTo }), { timeout: 5000 })).toBe(oldest);
    }

    const Echo = new ServiceKey<string>("echo");
    const got: string[] = [];
    const echo = b.spawn(
      Behaviors.receive<string>((_ctx, msg) => {
        got.push(msg);
        return Behaviors.same();
      }),
      "echo",
    );
    b.receptionist.register(Echo, echo);
    await waitFor(() => c.receptionist.find(Echo).length === 1, 10_000, "the echo actor listed on c");
    c.receptionist.find(Echo)[0].tell("found");

    b.topic<string>("news").subscribe(echo);
    await waitFor(() => a.receptionist.find(new ServiceKey("casty.topic.news")).length === 1, 10_000, "the topic listed on a");
    a.topic<string>("news").publish("published");
    await waitFor(() => got.length === 2, 5000, "both messages at the echo actor");
    expect(got).toEqual(["found", "published"]);
  });
});
