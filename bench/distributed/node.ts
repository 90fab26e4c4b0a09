// A cluster node process for the distributed data bench:  node --import tsx bench/distributed/node.ts
// --seeds=host:port [--journal=FILE]. Runs the bench entity region and distributed data (in memory, or
// with a SqliteJournal on FILE shared by the three processes). Lines as sharding/node.ts prints them.
import { Behaviors, SqliteJournal } from "../../src/index.js";
import { distributed } from "../../src/distributed/distributed.js";
import { argString } from "../harness.js";
import { serveNodeProcess, startNode } from "../cluster/common.js";
import { entity, NUM_SHARDS, REGION } from "./entity.js";

const seeds = argString("seeds", "")
  .split(",")
  .filter((s) => s.length > 0);
const file = argString("journal", "");
const journal = file ? new SqliteJournal(file) : undefined;
const system = await startNode("dd", seeds, { leaveTimeout: 5000 });
system.spawn(Behaviors.sharded(entity(journal), { numShards: NUM_SHARDS }), REGION);
distributed(system, { journal });
serveNodeProcess(system, 8000);
