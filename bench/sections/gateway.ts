// Issue 12: the gateway. ClusterClient asks and tells from a separate process to a node of a two-node
// cluster, 256 in flight and sequential (p50/p99), beside the member's own sharded ask of an entity on
// the other node (one round trip each) in the same run and beside raw grpc-js unary echo calls.
import { runFigures, type ChildFigure } from "../harness.js";
import type { Section } from "./section.js";

const figures: readonly ChildFigure[] = [{ script: "gateway/member.ts", args: [], timeoutMs: 300_000 }];

export const gatewaySection: Section = {
  name: "gateway",
  title: "Gateway (ClusterClient in its own process → a node of a two-process cluster on 127.0.0.1)",
  run: () => runFigures(figures),
};
