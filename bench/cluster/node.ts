// A cluster node in its own process (default cluster settings) for the kill -9 detection bench:
//   node --import tsx bench/cluster/node.ts [--seeds=host:port,...]
// Prints one JSON line per event, each with `at` (Date.now()): {"type":"started","address"},
// {"type":"up"}, {"type":"MemberUp"|"UnreachableMember"|"MemberDowned"|"MemberRemoved"|…,"address"},
// {"type":"LeaderChanged","leader"}. Leaves and exits when its stdin ends; exits after 10 min anyway.
import { ClusterEvent, LeaderChanged } from "../../src/index.js";
import { argString } from "../harness.js";
import { serveNodeProcess, startNode } from "./common.js";

const seeds = argString("seeds", "")
  .split(",")
  .filter((s) => s.length > 0);
const system = await startNode("detection", seeds, { leaveTimeout: 10_000 });
const line = serveNodeProcess(system, 5000);
system.cluster.subscribe(ClusterEvent, (event) => {
  if (event instanceof LeaderChanged) line({ type: "LeaderChanged", leader: event.address ?? null });
  else line({ type: event.constructor.name, address: (event as unknown as { address: string }).address });
});
