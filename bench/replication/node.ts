// A node process of the replication bench:  node --import tsx bench/replication/node.ts --seeds=host:port --min-acks=N --replicas=R
// Prints {"type":"started","address"} then {"type":"up"}; leaves and exits when its stdin ends.
import { Behaviors } from "../../src/index.js";
import { argNumber, argString } from "../harness.js";
import { serveNodeProcess, startNode } from "../cluster/common.js";
import { accounts, REGION, shardingOptions } from "./account.js";

const seeds = argString("seeds", "")
  .split(",")
  .filter((s) => s.length > 0);
const system = await startNode("replication", seeds, { leaveTimeout: 5000 });
system.spawn(Behaviors.sharded(accounts(system.selfAddress), shardingOptions(argNumber("min-acks", -1), argNumber("replicas", 2))), REGION);
serveNodeProcess(system, 8000);
