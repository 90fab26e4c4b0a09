// ClusterClient is not a member: what "casty/client" loads at run time leaves the node runtime out.
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

/** Files loaded at run time from `entry`: relative imports that are not `import type`. */
function runtimeClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^(?:import|export)\s+(type\s)?[^;]*?from\s+"(\.[^"]+)"/gms)) {
      if (m[1] === undefined) visit(resolve(dirname(file), m[2].replace(/\.js$/, ".ts")));
    }
  };
  visit(entry);
  return seen;
}

describe("the client entry point", () => {
  it("loads no actor system, remoting, cluster, sharding or gateway service code", () => {
    const loaded = [...runtimeClosure(resolve(root, "src/client/index.ts"))].map((f) => relative(root, f));
    expect(loaded).toContain("src/client/cluster-client.ts");
    const node = loaded.filter(
      (f) => /^src\/(remote|cluster|sharding|distributed|persistence)\//.test(f) || f === "src/actor/system.ts" || f === "src/gateway/gateway.ts",
    );
    expect(node).toEqual([]);
  });
});
