// The gateway serves as soon as the node's `whenUp` resolved: its Up flag is never behind the membership.
import * as grpc from "@grpc/grpc-js";
import { afterAll, expect, it } from "vitest";
import type { ClusteredActorSystem } from "../../src/index.js";
import { escapes } from "../support/escapes.js";
import { GatewayNodes } from "./fixtures/cluster.js";
import { call, stub } from "./fixtures/stub.js";

const escaped = escapes();
const nodes = new GatewayNodes();

afterAll(async () => {
  await nodes.shutdownAll();
  escaped.assertNone();
}, 30_000);

/** The status of a membership call made the moment `whenUp` resolves on `node`. */
async function rightAfterUp(node: ClusteredActorSystem): Promise<grpc.status> {
  const raw = stub(node.selfAddress);
  try {
    await node.cluster.whenUp();
    return (await call(raw, "getClusterState", {})).code;
  } finally {
    raw.close();
  }
}

it("serves a call made right after whenUp, on the first node and on each node that joins", { timeout: 30_000 }, async () => {
  const first = await nodes.start([]);
  const codes = [await rightAfterUp(first)];
  for (let i = 0; i < 3; i++) codes.push(await rightAfterUp(await nodes.start([first.selfAddress])));
  expect(codes).toEqual([grpc.status.OK, grpc.status.OK, grpc.status.OK, grpc.status.OK]);
});
