// The registered sections, run in this order by `npm run bench` (or one: `npm run bench -- local`).
//
// To add casty figures: create e.g. bench/sections/local.ts exporting a Section whose run() returns rows
// that reference a raw baseline by id, then add it to the list below:
//
//   export const localSection: Section = {
//     name: "local",
//     title: "Local actors",
//     async run() {
//       const rows = await runChild<Row[]>("local/tell.ts"); // a child script that emit()s Row[]
//       return rows; // e.g. { name: "tell (sync handler)", value, unit: "msg/s",
//                    //        baseline: "raw.tell.sync", goal: { atLeastRatio: 0.5 } }
//     },
//   };
//
// Baseline ids: raw.tell.sync, raw.tell.async, raw.pingpong (hops/s), raw.mailbox.heap (bytes),
// raw.grpc.batched, raw.grpc.batched.decoded, raw.grpc.unbatched (msg/s), raw.grpc.rtt.p50, raw.grpc.rtt.p99 (µs),
// raw.grpc.rtt (sequential rt/s), raw.grpc.inflight256 (rt/s). See sections/baselines.ts.
import { baselinesSection } from "./baselines.js";
import { clusterSection } from "./cluster.js";
import { distributedSection } from "./distributed.js";
import { gatewaySection } from "./gateway.js";
import { localSection } from "./local.js";
import { metricsSection } from "./metrics.js";
import { opsSection } from "./ops.js";
import { persistenceSection } from "./persistence.js";
import { remoteSection } from "./remote.js";
import { replicationSection } from "./replication.js";
import type { Section } from "./section.js";
import { servicesSection } from "./services.js";
import { shardingSection } from "./sharding.js";

export const sections: readonly Section[] = [
  baselinesSection,
  localSection, // issue 2: tell, ping-pong, ask, spawn, heap per idle actor
  remoteSection, // issue 3: remote tell throughput, remote ask latency and 256 in flight
  clusterSection, // issue 4: formation 3/5/10 nodes, gossip and heartbeat bytes/s, kill -9 detection
  shardingSection, // issue 5: sharded tell/ask on one node, 3 processes: 256 in flight, remote entity latency
  distributedSection, // issue 11: counter, map, queue over 3 processes beside sharded entities of the same shape
  persistenceSection, // issue 9: SqliteJournal/PostgresJournal throughput beside raw drivers, persist latency, recovery
  opsSection, // issue 13: SIGTERM → exit with 10,000 live entities, longest client pause in a rolling restart
  gatewaySection, // issue 12: ClusterClient ask/tell from another process beside member asks and raw unary echo
  servicesSection, // issue 19: own gRPC service unary → sharded entity from another process beside raw unary echo
  metricsSection, // issue 14: local tell and remote batches with metrics on beside metrics off
  replicationSection, // issue 10: replicated deposits over 3 processes with minAcks 0/1/2 beside no replication
];
