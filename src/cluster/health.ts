import type * as grpc from "@grpc/grpc-js";
import { HealthImplementation, type ServingStatus } from "grpc-health-check";

/** Service names reported by `grpc.health.v1.Health` ("" is the whole node): SERVING while the member is Up (readiness). */
export const HEALTH_SERVICES = ["", "casty.v1.Cluster", "casty.v1.ClusterService"] as const;
/** SERVING as long as the node's server answers, joining and leaving included (liveness). */
export const LIVENESS_SERVICE = "casty.v1.Node";

/** Standard gRPC health (Check and Watch) for Kubernetes probes: SERVING only while this member is Up. */
export class NodeHealth {
  private readonly health = new HealthImplementation({
    ...Object.fromEntries(HEALTH_SERVICES.map((s) => [s, "NOT_SERVING"])),
    [LIVENESS_SERVICE]: "SERVING",
  });
  private current: ServingStatus = "NOT_SERVING";
  private readonly readiness = new Set<string>(HEALTH_SERVICES);

  constructor(server: grpc.Server) {
    this.health.addToServer(server);
  }

  /** Reports `service` as the node's readiness from now on: SERVING while the member is Up. */
  addReadiness(service: string): void {
    this.readiness.add(service);
    this.health.setStatus(service, this.current);
  }

  set serving(serving: boolean) {
    const status: ServingStatus = serving ? "SERVING" : "NOT_SERVING";
    if (status === this.current) return;
    this.current = status;
    for (const service of this.readiness) this.health.setStatus(service, status);
  }
}
