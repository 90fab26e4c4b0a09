// Installs casty as a user would: `npm pack` (which builds through `prepare`), then the tarball into a
// fresh project, and runs a TypeScript and a plain JavaScript program against it. The TypeScript one
// is the README's quick start, taken from the README itself.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { command, describeFailure } from "./command.js";
import { freePort } from "../support/free-port.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
/** Pack and install together; the hook's timeout leaves room for the cleanup after them. */
const SETUP_BUDGET_MS = 240_000;
const RUN_TIMEOUT_MS = 60_000;

interface PackedFile {
  readonly path: string;
}

let dir: string | undefined;
let app: string;
let packed: readonly string[];

/** The first ```ts block of the README's "Quick start" section. */
function quickStart(readme: string): string {
  const section = readme.slice(readme.indexOf("\n## Quick start"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (match === null) throw new Error("README has no ts block under Quick start");
  return match[1];
}

/**
 * `npm install` of the tarball: offline from the npm cache when it has every dependency, else from the
 * registry. Install scripts of dependencies (native builds such as better-sqlite3) are skipped: casty
 * has none of its own, and what the test runs does not load them.
 */
async function install(tarball: string, deadline: number): Promise<void> {
  const args = ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-save", tarball];
  const offline = await command("npm", [...args, "--offline"], app, Math.max(1, deadline - Date.now()));
  if (offline.ok) return;
  const online = await command("npm", [...args, "--prefer-offline"], app, Math.max(1, deadline - Date.now()));
  if (!online.ok) throw new Error(describeFailure("npm install of the tarball (offline, then online)", online));
}

beforeAll(async () => {
  const deadline = Date.now() + SETUP_BUDGET_MS;
  dir = mkdtempSync(join(tmpdir(), "casty-pack-"));
  const pack = await command("npm", ["pack", "--json", "--pack-destination", dir], root, SETUP_BUDGET_MS);
  if (!pack.ok) throw new Error(describeFailure("npm pack", pack));
  // Lifecycle output may precede the JSON on stdout.
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("[\n"))) as [{ filename: string; files: PackedFile[] }];
  packed = info.files.map((f) => f.path);

  app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  await install(join(dir, info.filename), deadline);
}, SETUP_BUDGET_MS + 30_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("holds the compiled JavaScript, its declarations and the .proto files, and nothing else", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      main: string;
      types: string;
      exports: { ".": { types: string; import: string } };
    };
    const entries = [manifest.main, manifest.types, manifest.exports["."].types, manifest.exports["."].import];
    for (const entry of entries) expect(packed).toContain(entry.replace(/^\.\//, ""));
    expect(packed).toContain("dist/gen/casty/v1/value.js");
    expect(packed).toContain("proto/casty/v1/value.proto");
    // the cluster page's static files, served from the package by GET /
    for (const file of ["index.html", "page.css", "page.mjs"]) expect(packed).toContain(`dist/src/ops/page/assets/${file}`);
    const js = packed.filter((p) => p.endsWith(".js"));
    expect(js.length).toBeGreaterThan(20);
    for (const file of js) expect(packed, `${file} has no declarations`).toContain(file.replace(/\.js$/, ".d.ts"));
    expect(packed.filter((p) => !/^(dist\/(src|gen)\/|proto\/|README\.md$|package\.json$)/.test(p))).toStrictEqual([]);
  });

  it(
    "runs the README's quick start, type-checked with a NodeNext tsconfig",
    async () => {
      writeFileSync(join(app, "quickstart.ts"), quickStart(readFileSync(join(root, "README.md"), "utf8")));
      writeFileSync(join(app, "types.ts"), TYPED_EXAMPLE);
      writeFileSync(join(app, "tsconfig.json"), JSON.stringify(TSCONFIG));
      const tsc = await command(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "."], app, RUN_TIMEOUT_MS);
      expect(tsc.ok, describeFailure("tsc", tsc)).toBe(true);
      const quick = await command(process.execPath, ["out/quickstart.js"], app, RUN_TIMEOUT_MS);
      expect(quick.ok, describeFailure("the quick start", quick)).toBe(true);
      expect(quick.stdout.trim().split("\n").at(-1)).toBe("10");
      const typed = await command(process.execPath, ["out/types.js"], app, RUN_TIMEOUT_MS);
      expect(typed.ok, describeFailure("types.ts", typed)).toBe(true);
      expect(typed.stdout.trim()).toBe("pong");
    },
    RUN_TIMEOUT_MS * 3,
  );

  it(
    "runs plain JavaScript (ESM): a local ask, a two-node cluster answering asks, a type from a .proto file",
    async () => {
      for (const file of ["cluster.mjs", "greeting.proto"]) copyFileSync(join(root, "test/package/fixtures", file), join(app, file));
      const run = await command(process.execPath, ["cluster.mjs"], app, RUN_TIMEOUT_MS);
      expect(run.ok, describeFailure("cluster.mjs", run)).toBe(true);
      expect(run.stdout.trim().split("\n")).toStrictEqual([
        "proto shipped: true",
        "echo: local",
        "members up: 2",
        "echo: remote",
        "demo.v1.Greeting: hello b at 42",
        "done",
      ]);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "runs a cluster of three node processes started with runNode; each leaves on SIGTERM and exits 0",
    async () => {
      copyFileSync(join(root, "test/package/fixtures/node.mjs"), join(app, "node.mjs"));
      const ports = await Promise.all([0, 1, 2].map(() => freePort()));
      const seeds = ports.map((p) => `127.0.0.1:${p}`).join(",");
      const nodes = ports.map(
        (port) => new AppNode(app, { CASTY_NAME: "pkg", CASTY_HOST: "127.0.0.1", CASTY_PORT: String(port), CASTY_SEEDS: seeds, CASTY_LOG_LEVEL: "error" }),
      );
      try {
        const deadline = Date.now() + 45_000;
        while (!nodes.every((n) => n.stdout.includes('"answered"')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        const report = nodes.map((n, i) => `node ${i}: ${n.stdout} ${n.stderr}`).join("\n");
        for (const node of nodes) expect(JSON.parse(node.stdout.trim().split("\n").at(-1) ?? "{}"), report).toMatchObject({ members: 3, answers: 30 });
        for (const node of [...nodes].reverse()) {
          node.kill("SIGTERM"); // one at a time, as a rolling stop does
          expect(await node.exited, report).toStrictEqual({ code: 0, signal: null });
        }
      } finally {
        for (const node of nodes) node.kill("SIGKILL");
      }
    },
    RUN_TIMEOUT_MS * 2,
  );
});

/** A node process of the installed package: its stdout, and how it exited once it did. */
class AppNode {
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;

  constructor(cwd: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, ["node.mjs"], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.on("data", (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2023", "ESNext.Disposable"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    outDir: "out",
    noEmitOnError: true,
  },
  include: ["*.ts"],
};

/** Types must resolve to the real ones: the expected error proves a ref is not `any`. */
const TYPED_EXAMPLE = `import { ActorSystem, Behaviors, type ActorRef, type Behavior } from "casty";

type Ping = { readonly kind: "ping"; readonly replyTo: ActorRef<string> };

const pinger: Behavior<Ping> = Behaviors.receive((_ctx, msg) => {
  msg.replyTo.tell("pong");
  return Behaviors.same();
});

const system = new ActorSystem({ name: "types", logLevel: "error" });
const ref: ActorRef<Ping> = system.spawn(pinger, "pinger");

export function neverCalled(): void {
  // @ts-expect-error a ref only takes its actor's messages
  ref.tell({ kind: "pong" });
}

const reply: string = await system.ask(ref, (replyTo) => ({ kind: "ping", replyTo }));
console.log(reply);
await system.shutdown();
`;
