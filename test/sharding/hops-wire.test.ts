// Between real nodes the hop count of a forwarded envelope rides in the remoting envelope (not in a
// copy of the envelope): a region that is sent an envelope it does not own forwards it with one hop
// more, and one that has used up its hops is a dead letter instead of travelling on, so an envelope
// never bounces between regions whose tables disagree.
import { afterEach, describe, expect, it } from "vitest";
import { DeadLetter, ShardEnvelope } from "../../src/index.js";
import { RoutedEnvelope } from "../../src/sharding/envelope.js";
import { MAX_HOPS } from "../../src/sharding/region.js";
import { sleep, waitFor } from "../support/wait.js";
import type { CounterMsg } from "./fixtures/counter.js";
import { get, ids, ShardedNodes, spreadEvenly } from "./fixtures/nodes.js";

let nodes: ShardedNodes | undefined;
afterEach(async () => {
  await nodes?.shutdownAll();
  nodes = undefined;
});

describe("hops over the wire", () => {
  it("an envelope sent to the wrong region is forwarded once more; at the hop limit it is a dead letter", { timeout: 30_000 }, async () => {
    nodes = new ShardedNodes({ numShards: 10 });
    const [a, b] = await nodes.cluster(2);
    const first = await spreadEvenly(a, [a, b], ids(20));
    const { id: onB, count } = first.find((r) => r.node === b.address)!;
    // b's own view of a's region: what another region would send to
    const regionOnA = b.system.refFor<ShardEnvelope<CounterMsg>>(a.region.address);
    const dead: DeadLetter[] = [];
    a.system.eventStream.subscribe(DeadLetter, (d) => dead.push(d));

    regionOnA.tell(new RoutedEnvelope<CounterMsg>(onB, { kind: "inc" }, MAX_HOPS - 1));
    const deadline = Date.now() + 5000;
    while ((await get(a, onB)).count !== count + 1) {
      if (Date.now() > deadline) throw new Error(`not forwarded; dead letters: ${dead.map((d) => d.reason).join("; ")}`);
      await sleep(10);
    }

    regionOnA.tell(new RoutedEnvelope<CounterMsg>(onB, { kind: "inc" }, MAX_HOPS));
    await waitFor(() => dead.length > 0, 5000, "a dead letter on a");
    expect(dead[0].reason).toMatch(new RegExp(`after ${MAX_HOPS} forwards`));
    expect(dead[0].message).toBeInstanceOf(RoutedEnvelope);
    expect((dead[0].message as RoutedEnvelope<CounterMsg>).hops).toBe(MAX_HOPS);
    expect((await get(a, onB)).count).toBe(count + 1);
  });
});
