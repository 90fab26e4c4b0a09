// Issue 19: your own gRPC services. A unary call from a separate client process → a sharded entity →
// the reply, 256 in flight and sequential (p50/p99), beside raw grpc-js unary echo calls to the same
// node's server in the same run.
import { runFigures, type ChildFigure } from "../harness.js";
import type { Section } from "./section.js";

const figures: readonly ChildFigure[] = [{ script: "services/node.ts", args: [], timeoutMs: 300_000 }];

export const servicesSection: Section = {
  name: "services",
  title: "Own gRPC services (bank.v1.AccountService from a client process → a sharded entity on a one-node cluster on 127.0.0.1)",
  run: () => runFigures(figures),
};
