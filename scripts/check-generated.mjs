// Fails when gen/ differs from what `buf generate` produces from proto/ (stale generated code).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), "casty-gen-"));

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

try {
  execFileSync(join(root, "node_modules/.bin/buf"), ["generate", "--output", out], { cwd: root, stdio: "inherit" });
  const fresh = new Map(files(join(out, "gen")).map((f) => [relative(join(out, "gen"), f), readFileSync(f, "utf8")]));
  const committed = new Map(files(join(root, "gen")).map((f) => [relative(join(root, "gen"), f), readFileSync(f, "utf8")]));
  const stale = [...new Set([...fresh.keys(), ...committed.keys()])].filter((f) => fresh.get(f) !== committed.get(f));
  if (stale.length > 0) {
    console.error(`gen/ is stale (run npm run generate): ${stale.join(", ")}`);
    process.exit(1);
  }
  console.log(`gen/ is up to date (${fresh.size} files)`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
