// Each example's opening comment tells how to run it; that command must run the example itself.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const scripts = (JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { scripts: Record<string, string> }).scripts;
// top-level examples and those in their own folder (examples/bank-service/server.ts); generated code aside
const examples = readdirSync(`${root}examples`, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && !f.includes("/gen/"));

/** The comment lines the file starts with. */
function header(file: string): string {
  const lines = readFileSync(`${root}examples/${file}`, "utf8").split("\n");
  const end = lines.findIndex((line) => !line.startsWith("//"));
  return lines.slice(0, end).join("\n");
}

describe("example headers", () => {
  it.each(examples)("%s names only itself as the file to run", (file) => {
    const text = header(file);
    for (const [, named] of text.matchAll(/examples\/([\w/-]+\.ts)/g)) expect(named).toBe(file);
    for (const [, script] of text.matchAll(/npm run ([\w:-]+)/g)) expect(scripts[script] ?? "").toContain(`examples/${file}`);
  });
});
