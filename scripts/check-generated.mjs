// Fails when a gen/ folder differs from what `buf generate` produces from its proto/ (stale generated
// code): the library's own, and the stubs of the examples that serve their own .proto.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const MODULES = [".", "examples/bank-service"];

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** The files of `module`/gen that differ from a fresh `buf generate` there. */
function staleFiles(module) {
  const dir = join(root, module);
  const out = mkdtempSync(join(tmpdir(), "casty-gen-"));
  try {
    execFileSync(join(root, "node_modules/.bin/buf"), ["generate", "--output", out], { cwd: dir, stdio: "inherit" });
    const fresh = new Map(files(join(out, "gen")).map((f) => [relative(join(out, "gen"), f), readFileSync(f, "utf8")]));
    const committed = new Map(files(join(dir, "gen")).map((f) => [relative(join(dir, "gen"), f), readFileSync(f, "utf8")]));
    const stale = [...new Set([...fresh.keys(), ...committed.keys()])].filter((f) => fresh.get(f) !== committed.get(f));
    return { stale: stale.map((f) => join(module, "gen", f)), count: fresh.size };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const results = MODULES.map(staleFiles);
const stale = results.flatMap((r) => r.stale);
if (stale.length > 0) {
  console.error(`generated code is stale (run npx buf generate in its folder): ${stale.join(", ")}`);
  process.exit(1);
}
console.log(`gen/ is up to date (${results.map((r, i) => `${MODULES[i]}: ${r.count} files`).join(", ")})`);
