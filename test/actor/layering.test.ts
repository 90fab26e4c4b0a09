import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const src = resolve(import.meta.dirname, "../../src");

/** Relative imports (type imports included) of every .ts file under `src/`. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, "utf8");
    const deps = [...text.matchAll(/(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gs)].map((m) => resolve(dirname(file), m[1].replace(/\.js$/, ".ts")));
    graph.set(file, deps);
  }
  return graph;
}

function cycles(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === "open") found.push([...stack.slice(stack.indexOf(dep)), dep].map((f) => relative(src, f)).join(" -> "));
      else if (!state.has(dep) && graph.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe("module layering", () => {
  it("has no import cycles in the actor layer, type imports included", () => {
    const actor = new Map([...importGraph()].filter(([file]) => relative(src, file).startsWith("actor/")));
    expect(cycles(actor)).toEqual([]);
  });

  it("keeps the actor layer free of imports from the layers above it", () => {
    const outside = [...importGraph()]
      .filter(([file]) => relative(src, file).startsWith("actor/"))
      .flatMap(([file, deps]) =>
        deps.filter((dep) => !relative(src, dep).startsWith("actor/")).map((dep) => `${relative(src, file)} -> ${relative(src, dep)}`),
      );
    expect(outside).toEqual([]);
  });

  it("keeps api.ts free of implementation: type imports only", () => {
    const text = readFileSync(join(src, "actor/api.ts"), "utf8");
    const imports = [...text.matchAll(/^import\s+(type\s)?/gm)];
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.every((m) => m[1] !== undefined)).toBe(true);
    expect(text).not.toMatch(/^export (const|class|function|enum)/m);
  });
});
