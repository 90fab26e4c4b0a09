// An endpoint writes what was sent during one event-loop turn as one batch, also when the sends come
// from separate microtasks (replies of many asks in flight, each resolved in its own promise job):
// frames carry many envelopes instead of one each.
import { EventEmitter } from "node:events";
import type * as grpc from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { ConnectRequest, ConnectResponse } from "../../gen/casty/v1/remote.js";
import { ConsoleLogger } from "../../src/actor/logger.js";
import { realScheduler } from "../../src/actor/scheduler.js";
import { DeliveryFlushes } from "../../src/remote/delivery-flushes.js";
import { Endpoint, type EndpointHost } from "../../src/remote/endpoint.js";
import { resolveRemoteOptions } from "../../src/remote/options.js";
import { TrafficByPeer } from "../../src/remote/peer-traffic.js";
import { Serialization } from "../../src/serialization/index.js";
import { waitFor } from "../support/wait.js";

/** A Connect stream that accepts the handshake and records every batch written to it. */
class RecordingCall extends EventEmitter {
  readonly batches: number[] = [];

  write(frame: Buffer, written?: () => void): boolean {
    const { frame: decoded } = ConnectRequest.decode(frame);
    if (decoded?.$case === "handshake") {
      const ack: ConnectResponse = {
        frame: { $case: "handshakeAck", value: { accepted: true, reason: "", responder: { ...decoded.value.target!, uid: 1n } } },
      };
      setImmediate(() => this.emit("data", Buffer.from(ConnectResponse.encode(ack).finish())));
    } else if (decoded?.$case === "batch") this.batches.push(decoded.value.envelopes.length);
    if (written !== undefined) setImmediate(written);
    return true;
  }

  cancel(): void {
    this.emit("error", { details: "cancelled" });
  }
}

const recipient = { address: "casty://test@127.0.0.1:2/user/x" } as never;

function endpointOnto(call: RecordingCall, deliveryFlushes = new DeliveryFlushes(new ConsoleLogger("silent"))): Endpoint {
  const refs = {
    addressOf: () => "",
    resolve: () => {
      throw new Error("no refs here");
    },
  };
  const host: EndpointHost = {
    log: new ConsoleLogger("silent"),
    scheduler: realScheduler,
    options: resolveRemoteOptions({}),
    serialization: new Serialization(refs),
    selfNode: { system: "test", host: "127.0.0.1", port: 1, uid: 2n },
    traffic: new TrafficByPeer(),
    client: () => ({ makeBidiStreamRequest: () => call }) as unknown as grpc.Client,
    isBlocked: () => false,
    deadLetter: () => undefined,
    resolveLocal: () => undefined,
    missingRef: () => recipient,
    associated: () => undefined,
    unreachable: () => undefined,
    endpointFor: () => endpoint,
    encodingForPeer: false,
    batchSender: undefined,
    deliveryFlushes,
  };
  const endpoint = new Endpoint({ system: "test", host: "127.0.0.1", port: 2, key: "127.0.0.1:2" }, host);
  return endpoint;
}

describe("outbound batching", () => {
  it("sends from many microtasks of one turn go out as one batch", async () => {
    const call = new RecordingCall();
    const endpoint = endpointOnto(call);
    endpoint.send("/user/x", "first", recipient);
    await waitFor(() => endpoint.isConnected && call.batches.length === 1, 5000, "the connection and the first batch");
    // 100 replies, each sent from its own promise job within one turn
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        let chain = Promise.resolve();
        for (let i = 0; i < 100; i++) chain = chain.then(() => void endpoint.send("/user/x", i, recipient));
        void chain.then(resolve);
      }),
    );
    await waitFor(() => call.batches.reduce((a, b) => a + b, 0) === 101, 5000, "all 101 messages written");
    expect(call.batches.slice(1)).toEqual([100]);
    endpoint.retire("test over", false);
  });

  it("replies sent while a batch is delivered are written as one batch when the delivery ends", async () => {
    const call = new RecordingCall();
    const deliveries = new DeliveryFlushes(new ConsoleLogger("silent"));
    const endpoint = endpointOnto(call, deliveries);
    endpoint.send("/user/x", "first", recipient);
    await waitFor(() => endpoint.isConnected && call.batches.length === 1, 5000, "the connection and the first batch");
    await new Promise((resolve) => setImmediate(resolve)); // the first write's callback: the link is idle
    deliveries.begin();
    deliveries.begin(); // a delivery nested in another: only the outer end writes
    for (let i = 0; i < 3; i++) endpoint.send("/user/x", i, recipient);
    deliveries.end();
    expect(call.batches).toEqual([1]);
    deliveries.end();
    expect(call.batches).toEqual([1, 3]); // at once, before any microtask
    endpoint.retire("test over", false);
  });

  it("a deferred write that throws is logged and the other deferred writes still run", () => {
    const errors: string[] = [];
    const log = new ConsoleLogger("silent");
    log.error = (message: string) => void errors.push(message);
    const deliveries = new DeliveryFlushes(log);
    const ran: number[] = [];
    deliveries.begin();
    deliveries.defer(() => {
      throw new Error("socket gone");
    });
    deliveries.defer(() => void ran.push(2));
    deliveries.end();
    expect(ran).toEqual([2]);
    expect(errors).toEqual(["writing after a delivery failed: socket gone"]);
    deliveries.begin();
    deliveries.end();
    expect(ran).toEqual([2]); // run once, then forgotten
  });
});
