// A cluster node in its own process (default cluster settings) for the kill -9 detection bench:
//   node --import tsx bench/cluster/node.ts [--seeds=host:port,...]
// Prints one JSON line per event, each with `at` (Date.now()): {"type":"started","address"},
// {"type":"up"}, {"type":"MemberUp"|"UnreachableMember"|"MemberDowned"|"MemberRemoved"|…,"address"},
// {"type":"LeaderChanged","leader"}. Leaves and exits when its stdin ends; exits after 10 min anyway.
import { ClusterEvent, LeaderChanged } from "../../src/index.js";
import { argString } from "../harness.js";
import { startNode } from "./common.js";

const line = (l: Record<string, unknown>) => process.stdout.write(JSON.stringify({ ...l, at: Date.now() }) + "\n");

const seeds = argString("seeds", "").split(",").filter((s) => s.length > 0);
const system = await startNode("detection", seeds, { leaveTimeout: 10_000 });
line({ type: "started", address: system.selfAddress });
system.cluster.subscribe(ClusterEvent, (event) => {
  if (event instanceof LeaderChanged) line({ type: "LeaderChanged", leader: event.address ?? null });
  else line({ type: event.constructor.name, address: (event as unknown as { address: string }).address });
});
system.cluster.whenUp(60_000).then(
  () => line({ type: "up" }),
  (error: Error) => line({ type: "error", message: error.message }),
);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  void Promise.race([system.shutdown(), new Promise((r) => setTimeout(r, 5000))]).finally(() => process.exit(0));
};
process.stdin.on("end", stop).on("close", stop).resume();
setTimeout(stop, 600_000).unref();
