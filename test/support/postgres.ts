// A PostgreSQL database for tests: a fresh database on $CASTY_PG_URL's server, or else a throwaway
// cluster (initdb + pg_ctl in a temp dir, on a free 127.0.0.1 port, run as the `postgres` user when
// we are root since initdb refuses root). Without PostgreSQL binaries, a one-line reason to skip.
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { freePort } from "./free-port.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export interface TestDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/** The database, or why there is none (the PostgreSQL tests then skip with that reason). */
export async function startPostgres(): Promise<TestDatabase | string> {
  const server = process.env.CASTY_PG_URL ?? (await startCluster());
  if (!server.includes("://")) return server;
  return createDatabase(server, server === process.env.CASTY_PG_URL ? async () => {} : () => Promise.resolve(stopCluster()));
}

let cluster: { dir: string; bin: string; user: { uid: number; gid: number } | undefined } | undefined;

function binDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, "bin")).find((d) => existsSync(join(d, "initdb")));
  if (found) return found;
  try {
    return execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

/** The server's URL, or a reason. */
async function startCluster(): Promise<string> {
  const bin = binDir();
  if (bin === undefined || !existsSync(join(bin, "initdb")))
    return "PostgreSQL tests skipped: no PostgreSQL binaries (apt-get install postgresql, or set CASTY_PG_URL)";
  const dir = mkdtempSync(join(tmpdir(), "casty-pg-"));
  let user: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    user = {
      uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
      gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
    };
    chownSync(dir, user.uid, user.gid);
  }
  const run = (tool: string, args: string[]) => execFileSync(join(bin, tool), args, { ...user, cwd: dir, stdio: "pipe", timeout: 60_000 });
  const port = await freePort();
  try {
    run("initdb", ["-D", join(dir, "data"), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
    const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    run("pg_ctl", ["-D", join(dir, "data"), "-o", settings, "-l", join(dir, "log"), "-w", "-t", "30", "start"]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `PostgreSQL tests skipped: the throwaway cluster did not start (${String(error).split("\n")[0]})`;
  }
  cluster = { dir, bin, user };
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

function stopCluster(): void {
  if (cluster === undefined) return;
  const { dir, bin, user } = cluster;
  cluster = undefined;
  try {
    execFileSync(join(bin, "pg_ctl"), ["-D", join(dir, "data"), "-m", "immediate", "-w", "-t", "30", "stop"], { ...user, stdio: "pipe", timeout: 40_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A database of its own on `server`, dropped on stop. */
async function createDatabase(server: string, stopServer: () => Promise<void>): Promise<TestDatabase> {
  const name = `casty_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async stop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
      await stopServer();
    },
  };
}
