// Issue 14: the cost of metrics on the hot paths. One figure per process:
//   --figure=tell    tell N messages to one actor with a sync handler on a one-node cluster → msg/s
//   --figure=remote  N messages from one node to a sink actor on another (same process), paced with
//                    `offer`, in batches of the remote envelope stream                    → msg/s
// --metrics=on serves HTTP on every node and scrapes /metrics every 200 ms while it measures (a
// Prometheus server scrapes every 15 s or so); --metrics=off serves none. Every wait is bounded.
import { Behaviors, ClusteredActorSystem, type ActorRef, type NodeOptions } from "../../src/index.js";
import { argNumber, argString, emit, measureThroughput } from "../harness.js";
import { within } from "../local/common.js";

const figure = argString("figure", "tell");
const metrics = argString("metrics", "off") === "on";
const SCRAPE_EVERY_MS = 200;

const options: NodeOptions = { name: "metrics-bench", host: "127.0.0.1", port: 0, logLevel: "error", ...(metrics ? { http: { port: 0 } } : {}) };
const first = await ClusteredActorSystem.start(options);
const nodes = figure === "remote" ? [first, await ClusteredActorSystem.start({ ...options, seedNodes: [first.selfAddress] })] : [first];
await Promise.all(nodes.map((node) => node.cluster.whenUp(10_000)));

let scrapes = 0;
const scraper = metrics
  ? setInterval(() => {
      for (const node of nodes) {
        fetch(`${node.httpUrl}/metrics`)
          .then((response) => response.text())
          .then(
            () => scrapes++,
            () => undefined,
          );
      }
    }, SCRAPE_EVERY_MS)
  : undefined;

type Tick = { readonly kind: "tick" } | { readonly kind: "done"; readonly replyTo: ActorRef<number> };
const MSG = { kind: "tick" } as const;

let rate: number;
if (figure === "tell") {
  const count = argNumber("count", 3_000_000);
  const r = await measureThroughput({ ops: count, warmup: 2, runs: 5, maxMs: 15_000 }, (n) => {
    let handled = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const ref = first.spawn(
      Behaviors.receive<typeof MSG>(() => {
        if (++handled === n) done();
        return Behaviors.same();
      }),
    );
    for (let i = 0; i < n; i++) ref.tell(MSG);
    return within(finished, 30_000, "tell");
  });
  rate = r.best;
} else {
  const count = argNumber("count", 300_000);
  let received = 0;
  nodes[1].spawn(
    Behaviors.receive<Tick>((_ctx, message) => {
      if (message.kind === "tick") received++;
      else message.replyTo.tell(received);
      return Behaviors.same();
    }),
    "sink",
  );
  const sink = first.remoting.resolve(`casty://${options.name}@${nodes[1].selfAddress}/user/sink`) as ActorRef<Tick>;
  const r = await measureThroughput({ ops: count, warmup: 1, runs: 5, maxMs: 20_000 }, async (n) => {
    received = 0;
    let last: Promise<boolean> = Promise.resolve(true);
    for (let sent = 0; sent < n; sent++) {
      last = sink.offer(MSG);
      if (sent % 512 === 0) await last;
    }
    await last;
    const total = await first.ask<Tick, number>(sink, (replyTo) => ({ kind: "done", replyTo }), { timeout: 30_000 });
    if (total !== n) throw new Error(`sent ${n}, the sink got ${total}`);
  });
  rate = r.best;
}
if (scraper !== undefined) clearInterval(scraper);
await Promise.all(nodes.map((node) => node.shutdown()));
emit({ rate, scrapes });
