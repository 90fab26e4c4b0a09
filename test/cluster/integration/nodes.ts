// Shared fixtures of the cluster integration tests: clustered nodes on 127.0.0.1 with free ports, all
// shut down after each test, a logger that keeps what it is told, and views of what each node sees.
import * as grpc from "@grpc/grpc-js";
import { service as healthService, type ServingStatus } from "grpc-health-check";
import { ClusteredActorSystem, type ClusterOptions } from "../../../src/index.js";
import { waitFor } from "../../support/wait.js";

export type NodeOptions = Omit<ClusterOptions, "name"> & { name?: string };

/** Starts cluster nodes (default: cluster "test", 127.0.0.1, a free port, errors only) and shuts them all down. */
export class ClusterNodes {
  private readonly systems = new Set<ClusteredActorSystem>();

  async start(options: NodeOptions = {}): Promise<ClusteredActorSystem> {
    const system = await ClusteredActorSystem.start({
      name: "test",
      host: "127.0.0.1",
      port: 0,
      // errors only on the console; a test's own logger gets every line (logLevel would filter it too)
      ...(options.logger === undefined ? { logLevel: "error" as const } : {}),
      leaveTimeout: 2000,
      ...options,
    });
    this.systems.add(system);
    return system;
  }

  /** A first node forming the cluster, then `count - 1` nodes joining through it; resolves when all are Up everywhere. */
  async cluster(count: number, options: NodeOptions = {}): Promise<ClusteredActorSystem[]> {
    const first = await this.start({ ...options, seedNodes: [] });
    const others = await Promise.all(Array.from({ length: count - 1 }, () => this.start({ ...options, seedNodes: [first.selfAddress] })));
    const all = [first, ...others];
    await waitForConvergence(all, 10_000);
    return all;
  }

  /** Shuts one node down now (the others stay). */
  async stop(system: ClusteredActorSystem): Promise<void> {
    this.systems.delete(system);
    await system.shutdown();
  }

  /** Forgets a node without shutting it down (the test does it, e.g. abruptly). */
  release(system: ClusteredActorSystem): void {
    this.systems.delete(system);
  }

  async shutdownAll(): Promise<void> {
    const systems = [...this.systems];
    this.systems.clear();
    await Promise.all(systems.map((system) => system.shutdown()));
  }
}

/** "address:status" of every member `system` sees, sorted. */
export function view(system: ClusteredActorSystem): string[] {
  return system.cluster.state.members.map((m) => `${m.address}:${m.status}`).sort();
}

export function upAddresses(system: ClusteredActorSystem): string[] {
  return system.cluster.state.members
    .filter((m) => m.status === "up")
    .map((m) => m.address)
    .sort();
}

/** Waits until every node sees exactly the given nodes Up (and nothing else), no one unreachable, and the same leader. */
export async function waitForConvergence(systems: readonly ClusteredActorSystem[], timeout = 10_000): Promise<void> {
  const expected = systems.map((s) => s.selfAddress).sort();
  const expectedView = expected.map((a) => `${a}:up`);
  await waitFor(
    () => {
      const leaders = new Set(systems.map((s) => s.cluster.leader));
      return leaders.size === 1 && systems.every((s) => sameList(view(s), expectedView) && s.cluster.state.unreachable.length === 0);
    },
    timeout,
    `${systems.length} nodes to converge on ${expected.join(", ")}`,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; views: ${JSON.stringify(systems.map((s) => [s.selfAddress, view(s), s.cluster.state.unreachable, s.cluster.leader]))}`);
  });
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Lowest address by host, then numeric port (the documented leader choice). */
export function lowestAddress(addresses: readonly string[]): string {
  return [...addresses].sort((a, b) => {
    const [ha, pa] = splitAddress(a);
    const [hb, pb] = splitAddress(b);
    return ha !== hb ? (ha < hb ? -1 : 1) : pa - pb;
  })[0];
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(":");
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}

export { CapturingLogger, type LogLine } from "../../support/capturing-logger.js";

/** A plain grpc.health.v1.Health client (the definition grpc-health-check ships), as a probe would use. */
export class HealthClient {
  private readonly client: grpc.Client & Record<string, (...args: never[]) => unknown>;

  constructor(address: string) {
    const Client = grpc.makeGenericClientConstructor(healthService, "Health");
    this.client = new Client(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, (...args: never[]) => unknown>;
  }

  /** Check(service): the status, or the gRPC error code if the call fails. */
  check(service: string, timeout = 2000): Promise<ServingStatus | { code: grpc.status }> {
    return new Promise((resolve) => {
      const check = this.client.check as unknown as (
        request: { service: string },
        options: grpc.CallOptions,
        callback: (error: grpc.ServiceError | null, response?: { status: ServingStatus }) => void,
      ) => void;
      check.call(this.client, { service }, { deadline: Date.now() + timeout }, (error, response) => resolve(error ? { code: error.code } : response!.status));
    });
  }

  /** Watch(service): every status the stream delivers is pushed to `statuses`. */
  watch(service: string): { statuses: ServingStatus[]; cancel: () => void } {
    const statuses: ServingStatus[] = [];
    const watch = this.client.watch as unknown as (request: { service: string }) => grpc.ClientReadableStream<{ status: ServingStatus }>;
    const call = watch.call(this.client, { service });
    call.on("data", (response: { status: ServingStatus }) => statuses.push(response.status));
    call.on("error", () => undefined);
    return { statuses, cancel: () => call.cancel() };
  }

  close(): void {
    this.client.close();
  }
}
