// Another language reads a SqliteJournal: Python, with stubs generated from proto/ by grpc_tools
// (Debian's python3-grpc-tools and python3-protobuf), decodes every event row.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NodeAddress } from "../../gen/casty/v1/address.js";
import { ActorSystem, SqliteJournal, type ActorRef } from "../../src/index.js";
import { Serialization } from "../../src/serialization/index.js";
import { account } from "./fixtures/account.js";

const PYTHON = "/usr/bin/python3";
const probe = spawnSync(PYTHON, ["-c", "import google.protobuf, grpc_tools.protoc"], { encoding: "utf8" });
const missing =
  probe.status === 0 ? undefined : "Python journal reader skipped: needs /usr/bin/python3 with python3-protobuf and python3-grpc-tools (scripts/setup.sh)";

const dir = mkdtempSync(join(tmpdir(), "casty-py-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(missing !== undefined)("a SqliteJournal read from Python", () => {
  it("decodes every event with stubs generated from proto/: plain data as casty.v1.Value, registered types as their own message", async () => {
    const path = join(dir, "journal.db");
    const serialization = new Serialization({ addressOf: () => "", resolve: () => undefined as never });
    serialization.registerProtobuf("casty.v1.NodeAddress", NodeAddress);
    const journal = new SqliteJournal(path, { serialization });
    const system = new ActorSystem({ name: "py", logLevel: "error" });
    try {
      const alice = system.spawn(account(journal)("alice"), "alice");
      for (const amount of [10, 20]) await system.ask(alice, (replyTo: ActorRef<number>) => ({ kind: "deposit", amount, replyTo }) as const);
      await journal.append("misc", [{ big: 12345678901234567890n, nested: { list: [1, "two", null, true] } }], 0, { writerUid: "w-1" });
      await journal.append("misc", [{ $type: "casty.v1.NodeAddress", system: "bank", host: "10.0.0.1", port: 25520, uid: 42n }], 1, { writerUid: "w-1" });
    } finally {
      await system.shutdown();
      await journal.close();
    }
    const stubs = join(dir, "stubs");
    execFileSync("mkdir", ["-p", stubs]);
    execFileSync(PYTHON, [
      "-m",
      "grpc_tools.protoc",
      "-Iproto",
      `--python_out=${stubs}`,
      "casty/v1/value.proto",
      "casty/v1/address.proto",
      "casty/v1/persistence.proto",
    ]);
    const out = execFileSync(PYTHON, ["test/persistence/fixtures/read_journal.py", stubs, path], { encoding: "utf8" });
    const rows = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map(({ entityId, seqNr, manifest, event }) => ({ entityId, seqNr, manifest, event }))).toEqual([
      { entityId: "alice", seqNr: 1, manifest: "casty.v1.Value", event: { kind: "deposited", amount: 10 } },
      { entityId: "alice", seqNr: 2, manifest: "casty.v1.Value", event: { kind: "deposited", amount: 20 } },
      { entityId: "misc", seqNr: 1, manifest: "casty.v1.Value", event: { big: "12345678901234567890", nested: { list: [1, "two", null, true] } } },
      { entityId: "misc", seqNr: 2, manifest: "casty.v1.NodeAddress", event: { system: "bank", host: "10.0.0.1", port: 25520, uid: "42" } },
    ]);
    expect(rows[2].writerUid).toBe("w-1");
    expect(Number(rows[0].timestamp)).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });
});

if (missing !== undefined) describe("a SqliteJournal read from Python", () => it.skip(missing, () => {}));
