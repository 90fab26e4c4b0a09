// A cluster node process running the bench's sharded entity type (sharding/entity.ts), for the
// multi-process sharding benches:  node --import tsx bench/sharding/node.ts --seeds=host:port
// Prints {"type":"started","address"} then {"type":"up"} (JSON lines with `at`); leaves and exits when
// its stdin ends; exits after 10 min anyway. Also runs the plain sink and the probe of sharding/two.ts.
import { Behaviors } from "../../src/index.js";
import { argString } from "../harness.js";
import { serveNodeProcess, startNode } from "../cluster/common.js";
import { entity, NUM_SHARDS, probe, PROBE, REGION, sink, SINK } from "./entity.js";

const seeds = argString("seeds", "")
  .split(",")
  .filter((s) => s.length > 0);
// --role=R: this node has role R, and the entities run only on nodes with role R (three.ts --proxy)
const role = argString("role", "");
const system = await startNode("sharding", seeds, { leaveTimeout: 5000, roles: role ? [role] : [] });
system.spawn(Behaviors.sharded(entity(system.selfAddress), { numShards: NUM_SHARDS, ...(role ? { role } : {}) }), REGION);
system.spawn(sink, SINK);
system.spawn(probe, PROBE);
serveNodeProcess(system, 8000);
