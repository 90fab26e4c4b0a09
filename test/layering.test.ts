// The layers of src/ (README "Project layout"): each folder imports only from the folders below it,
// and no import cycle exists anywhere (type imports included).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const src = resolve(import.meta.dirname, "../src");

const below = (...layers: string[]): string[] => layers;
/** Everything up to the gateway: what the node and the ops layers build on. */
const belowGateway = below(
  "actor",
  "serialization",
  "remote",
  "cluster",
  "sharding",
  "persistence",
  "cluster-tools",
  "distributed",
  "projection",
  "gateway",
  "replication",
);
/** The gateway and the node's own gRPC services on it. */
const belowServices = [...belowGateway, "services"];
/** What each folder may import besides itself. */
const allowed: Record<string, readonly string[]> = {
  actor: below(),
  serialization: below("actor"),
  remote: below("actor", "serialization"),
  cluster: below("actor", "serialization", "remote"),
  sharding: below("actor", "serialization", "remote", "cluster"),
  persistence: below("actor", "serialization"),
  "cluster-tools": below("actor", "serialization", "remote", "cluster", "sharding"),
  distributed: below("actor", "serialization", "remote", "cluster", "sharding", "persistence", "cluster-tools"),
  projection: below("actor", "serialization", "remote", "cluster", "sharding", "persistence", "cluster-tools"),
  replication: below("actor", "serialization", "remote", "cluster", "sharding", "persistence"),
  gateway: below("actor", "serialization", "remote", "cluster", "sharding", "persistence", "cluster-tools", "distributed"),
  services: below("actor", "serialization", "remote", "cluster", "sharding", "persistence", "cluster-tools", "distributed", "gateway"),
  client: below("actor", "serialization", "remote", "cluster", "gateway"),
  "ops/metrics": belowServices,
  "ops/page": [...belowServices, "ops/metrics"],
  "ops/http": [...belowServices, "ops/metrics", "ops/page"],
  node: [...belowServices, "ops/http", "ops/page"],
  ops: [...belowServices, "node"],
};

/** Relative imports (type imports included) of every .ts file under `src/`, as paths relative to it. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, "utf8");
    const deps = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gs)].map((m) =>
      relative(src, resolve(dirname(file), m[1].replace(/\.js$/, ".ts"))),
    );
    graph.set(relative(src, file), deps);
  }
  return graph;
}

/**
 * The layer of a file: its folder under src/. The folders inside ops/ are layers of their own: the
 * node serves metrics and the page (ops/metrics, ops/page, ops/http sit below node), while running a
 * node from the environment (the files of ops/ itself) sits above it.
 */
const layerOf = (path: string): string => {
  const [top, sub, file] = path.split("/");
  return top === "ops" && file !== undefined ? `${top}/${sub}` : top;
};

describe("layers of src/", () => {
  const graph = importGraph();

  it("every folder has a place in the layers", () => {
    const folders = new Set([...graph.keys()].filter((f) => f.includes("/")).map(layerOf));
    expect([...folders].filter((f) => allowed[f] === undefined)).toEqual([]);
  });

  it("no folder imports from a layer above it", () => {
    const wrong = [...graph].flatMap(([file, deps]) => {
      const layer = layerOf(file);
      if (!file.includes("/")) return []; // src/index.ts: the public API re-exports every layer
      const own = (dep: string) => dep.startsWith("../gen/") || layerOf(dep) === layer; // generated Protobuf code serves every layer
      return deps.filter((dep) => !own(dep) && !(allowed[layer] ?? []).includes(layerOf(dep))).map((dep) => `${file} -> ${dep}`);
    });
    expect(wrong).toEqual([]);
  });

  it("has no import cycles", () => {
    const found: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (file: string): void => {
      state.set(file, "open");
      stack.push(file);
      for (const dep of graph.get(file) ?? []) {
        if (state.get(dep) === "open") found.push([...stack.slice(stack.indexOf(dep)), dep].join(" -> "));
        else if (!state.has(dep) && graph.has(dep)) visit(dep);
      }
      stack.pop();
      state.set(file, "done");
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(found).toEqual([]);
  });
});
