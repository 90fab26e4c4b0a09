// The distributed data structures as gateway RPCs: each call reaches the structure by name and shards
// through `system.distributed()` on this node, with the call's deadline as its timeout.
// Arguments are decoded here (an undecodable one is INVALID_ARGUMENT) and encoded again by the handles.
import * as grpc from "@grpc/grpc-js";
import type { ServerSurfaceCall as ServerCall } from "@grpc/grpc-js/build/src/server-call.js";
import type { ActorSystem } from "../actor/system.js";
import { Distributed } from "../distributed/distributed.js";
import type { DistributedOptions, StructureOptions } from "../distributed/options.js";
import type { Any } from "../../gen/google/protobuf/any.js";
import { StructureKind, type GatewayServiceServer, type StructureRef } from "../../gen/casty/v1/gateway.js";
import { refuse } from "./status.js";

export interface RpcTools {
  unary<Req, Res>(what: string, handle: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Res | Promise<Res>): grpc.handleUnaryCall<Req, Res>;
  decode(any: Any | undefined): unknown;
  encode(value: unknown): Any;
  timeout(call: ServerCall): number;
}

type DistributedHandlers = Pick<
  GatewayServiceServer,
  | "counterAdd"
  | "counterGet"
  | "mapPut"
  | "mapGet"
  | "mapContains"
  | "mapDelete"
  | "setAdd"
  | "setRemove"
  | "setContains"
  | "setSize"
  | "queueEnqueue"
  | "queueDequeue"
  | "queuePeek"
  | "queueSize"
  | "destroy"
>;

export function distributedHandlers(system: ActorSystem, options: DistributedOptions, tools: RpcTools): DistributedHandlers {
  // built now, so that this node also hosts the structures its peers' regions reach it for
  const structures = new Distributed(system, options);
  const at = (ref: StructureRef | undefined, call: ServerCall): [string, StructureOptions] => {
    if (ref === undefined || ref.name.length === 0) throw refuse(grpc.status.INVALID_ARGUMENT, "the structure's name is missing");
    return [ref.name, { shards: ref.shards === 0 ? undefined : ref.shards, timeout: tools.timeout(call) }];
  };
  const optional = (value: unknown): Any | undefined => (value === undefined ? undefined : tools.encode(value));

  return {
    counterAdd: tools.unary("counterAdd", async (r, call) => ({ value: await structures.counter(...at(r.counter, call)).increment(r.delta) })),
    counterGet: tools.unary("counterGet", async (r, call) => ({ value: await structures.counter(...at(r.counter, call)).get() })),
    mapPut: tools.unary("mapPut", async (r, call) => ({
      previous: optional(await structures.map(...at(r.map, call)).put(tools.decode(r.key), tools.decode(r.value))),
    })),
    mapGet: tools.unary("mapGet", async (r, call) => ({ value: optional(await structures.map(...at(r.map, call)).get(tools.decode(r.key))) })),
    mapContains: tools.unary("mapContains", async (r, call) => ({ contains: await structures.map(...at(r.map, call)).contains(tools.decode(r.key)) })),
    mapDelete: tools.unary("mapDelete", async (r, call) => ({ existed: await structures.map(...at(r.map, call)).delete(tools.decode(r.key)) })),
    setAdd: tools.unary("setAdd", async (r, call) => ({ added: await structures.set(...at(r.set, call)).add(tools.decode(r.value)) })),
    setRemove: tools.unary("setRemove", async (r, call) => ({ removed: await structures.set(...at(r.set, call)).remove(tools.decode(r.value)) })),
    setContains: tools.unary("setContains", async (r, call) => ({ contains: await structures.set(...at(r.set, call)).contains(tools.decode(r.value)) })),
    setSize: tools.unary("setSize", async (r, call) => ({ size: await structures.set(...at(r.set, call)).size() })),
    queueEnqueue: tools.unary("queueEnqueue", async (r, call) => {
      await structures.queue(...at(r.queue, call)).enqueue(tools.decode(r.value));
      return {};
    }),
    queueDequeue: tools.unary("queueDequeue", async (r, call) => ({ value: optional(await structures.queue(...at(r.queue, call)).dequeue()) })),
    queuePeek: tools.unary("queuePeek", async (r, call) => ({ value: optional(await structures.queue(...at(r.queue, call)).peek()) })),
    queueSize: tools.unary("queueSize", async (r, call) => ({ size: await structures.queue(...at(r.queue, call)).size() })),
    destroy: tools.unary("destroy", async (r, call) => {
      const target = at(r.structure, call);
      switch (r.kind) {
        case StructureKind.STRUCTURE_KIND_COUNTER:
          await structures.counter(...target).destroy();
          break;
        case StructureKind.STRUCTURE_KIND_MAP:
          await structures.map(...target).destroy();
          break;
        case StructureKind.STRUCTURE_KIND_SET:
          await structures.set(...target).destroy();
          break;
        case StructureKind.STRUCTURE_KIND_QUEUE:
          await structures.queue(...target).destroy();
          break;
        default:
          throw refuse(grpc.status.INVALID_ARGUMENT, `destroy needs a structure kind, got ${String(r.kind)}`);
      }
      return {};
    }),
  };
}
