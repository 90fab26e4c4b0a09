// The Kubernetes example (examples/kubernetes/) held against the code: ports, probe services, variable
// names, labels and the grace period come from the defaults and constants the node itself uses.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { HEALTH_SERVICES, LIVENESS_SERVICE } from "../../src/cluster/health.js";
import { resolveClusterOptions } from "../../src/cluster/options.js";
import { castyEnvironment } from "../../src/ops/env.js";
import { resolveRemoteOptions } from "../../src/remote/options.js";
import { resolveShardingOptions } from "../../src/sharding/options.js";

const dir = new URL("../../examples/kubernetes/", import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return -- manifests are untyped YAML, read as any */
type Doc = any;
const docs = parseAllDocuments(readFileSync(new URL("casty.yaml", dir), "utf8")).map((d) => d.toJS());
const byKind = (kind: string): Doc => {
  const doc = docs.find((d) => d.kind === kind);
  expect(doc, `a ${kind} in casty.yaml`).toBeDefined();
  return doc;
};

describe("examples/kubernetes", () => {
  const statefulSet = byKind("StatefulSet");
  const service = byKind("Service");
  const budget = byKind("PodDisruptionBudget");
  const pod = statefulSet.spec.template.spec;
  const container = pod.containers[0];
  const env = new Map<string, Doc>(container.env.map((e: Doc) => [e.name, e]));

  it("a headless service that publishes joining pods, selecting the StatefulSet's pods", () => {
    expect(service.spec.clusterIP).toBe("None");
    expect(service.spec.publishNotReadyAddresses).toBe(true);
    expect(statefulSet.spec.serviceName).toBe(service.metadata.name);
    const labels = statefulSet.spec.template.metadata.labels;
    expect(statefulSet.spec.selector.matchLabels).toEqual(labels);
    expect(service.spec.selector).toEqual(labels);
    expect(budget.spec.selector.matchLabels).toEqual(labels);
    expect(budget.spec.maxUnavailable).toBe(1);
  });

  it("ports and gRPC probes match the node's defaults and health services", () => {
    const port = resolveRemoteOptions({}).port;
    expect(Number(env.get("CASTY_PORT").value)).toBe(port);
    expect(container.ports[0].containerPort).toBe(port);
    expect(service.spec.ports[0].port).toBe(port);
    expect(container.readinessProbe.grpc.port).toBe(port);
    expect(container.livenessProbe.grpc.port).toBe(port);
    expect(HEALTH_SERVICES as readonly string[]).toContain(container.readinessProbe.grpc.service); // SERVING once Up
    expect(container.livenessProbe.grpc.service).toBe(LIVENESS_SERVICE);
    for (const seed of String(env.get("CASTY_SEEDS").value).split(","))
      expect(seed.endsWith(`.${service.metadata.name}.$(POD_NAMESPACE).svc.cluster.local:${port}`)).toBe(true);
  });

  it("every CASTY_ variable is one the node reads; the pod advertises its stable name", () => {
    const casty = [...env.keys()].filter((name) => name.startsWith("CASTY_"));
    for (const name of casty) expect(Object.keys(castyEnvironment)).toContain(name);
    expect(casty).toEqual(expect.arrayContaining(["CASTY_NAME", "CASTY_HOST", "CASTY_PORT", "CASTY_ADVERTISE_HOST", "CASTY_SEEDS"]));
    expect(env.get("CASTY_ADVERTISE_HOST").value).toBe(`$(POD_NAME).${service.metadata.name}.$(POD_NAMESPACE).svc.cluster.local`);
    expect(env.get("POD_NAME").valueFrom.fieldRef.fieldPath).toBe("metadata.name");
  });

  it("the grace period covers the shard handoff and the leave", () => {
    const leave = resolveClusterOptions({ name: "bank" }).leaveTimeout;
    const handOff = resolveShardingOptions().handOffTimeout;
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(leave + handOff);
  });

  it("the image: multi-stage, production dependencies only, non-root, runs the compiled node", () => {
    const dockerfile = readFileSync(new URL("Dockerfile", dir), "utf8");
    expect(dockerfile.match(/^FROM /gm)?.length).toBe(2);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    const tsconfig = JSON.parse(readFileSync(new URL("tsconfig.json", dir), "utf8")) as { compilerOptions: { outDir: string } };
    expect(tsconfig.compilerOptions.outDir).toBe("../../dist");
    expect(dockerfile).toContain('CMD ["node", "dist/examples/kubernetes/node.js"]');
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(env.get("DATABASE_URL").valueFrom.secretKeyRef.key).toBe("url"); // one journal shared by every node
  });
});
