// system.distributed({ journal, replication }): a persistent counter whose nodes each have their own
// InMemoryJournal survives the loss of a node (and of that node's journal).
import { afterEach, describe, expect, it } from "vitest";
import { InMemoryJournal, regionStats } from "../../src/index.js";
import { regionActorName } from "../../src/distributed/region-name.js";
import { waitFor } from "../support/wait.js";
import { eventually } from "../sharding/fixtures/nodes.js";
import { ReplicatedNodes } from "./fixtures/nodes.js";

let nodes: ReplicatedNodes | undefined;
afterEach(async () => {
  await nodes?.shutdownAll();
  nodes = undefined;
});

describe("replicated distributed data", () => {
  it("a persistent counter survives losing a node's InMemoryJournal", { timeout: 60_000 }, async () => {
    nodes = new ReplicatedNodes({ replicas: 1, minAcks: 1 });
    const all = await nodes.cluster(3);
    const counters = all.map((n) =>
      n.system.distributed({ journal: new InMemoryJournal(), replication: { replicas: 1, minAcks: 1 } }).counter("views", { shards: 10 }),
    );
    await Promise.all(Array.from({ length: 30 }, (_, i) => counters[i % 3].increment(2)));
    expect(await counters[0].get()).toBe(60);
    // the node where the counter's entities run (their shards' primary)
    const region = all[0].system.lookup(`/system/${regionActorName({ kind: "counter", storage: "j", shards: 10, name: "views" })}`)!;
    const primaries = new Set(regionStats(region)?.allocation.keys());
    const lost = all.find((n) => primaries.has(n.address))!;
    expect(lost).toBeDefined();
    nodes.isolate(lost);
    const staying = all.filter((n) => n !== lost);
    await waitFor(() => staying.every((n) => n.system.cluster.state.members.every((m) => m.address !== lost.address)), 15_000, "the lost node removed");
    await nodes.stop(lost);
    const [first, second] = staying.map((n) => counters[all.indexOf(n)]);
    expect(await eventually(() => first.get(), 15_000, "the counter after the loss")).toBe(60);
    expect(await second.increment(1)).toBe(61);
  });
});
