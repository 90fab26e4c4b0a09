import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InvalidOptionError } from "../../src/index.js";
import { castyEnvironment, clusterOptionsFromEnv } from "../../src/ops/env.js";

const dir = mkdtempSync(join(tmpdir(), "casty-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("clusterOptionsFromEnv", () => {
  it("maps every variable to its option", () => {
    for (const part of ["ca", "cert", "key"]) writeFileSync(join(dir, `${part}.pem`), `${part} pem`);
    const options = clusterOptionsFromEnv({
      CASTY_NAME: "bank",
      CASTY_HOST: "0.0.0.0",
      CASTY_PORT: "25520",
      CASTY_ADVERTISE_HOST: "10.1.2.3",
      CASTY_ADVERTISE_PORT: "30000",
      CASTY_SEEDS: "casty-0.casty:25520, casty-1.casty:25520,",
      CASTY_ROLES: "backend,api",
      CASTY_TLS_CA: join(dir, "ca.pem"),
      CASTY_TLS_CERT: join(dir, "cert.pem"),
      CASTY_TLS_KEY: join(dir, "key.pem"),
      CASTY_LOG_LEVEL: "warn",
    });
    expect(options).toMatchObject({
      name: "bank",
      host: "0.0.0.0",
      port: 25520,
      advertiseHost: "10.1.2.3",
      advertisePort: 30000,
      seedNodes: ["casty-0.casty:25520", "casty-1.casty:25520"],
      roles: ["backend", "api"],
      logLevel: "warn",
    });
    expect(options.tls?.ca.toString()).toBe("ca pem");
    expect(options.tls?.key.toString()).toBe("key pem");
  });

  it("CASTY_DISCOVERY_DNS turns on DNS discovery on the node's port", () => {
    expect(clusterOptionsFromEnv({ CASTY_NAME: "bank", CASTY_PORT: "25520", CASTY_DISCOVERY_DNS: "casty.default.svc.cluster.local" })).toEqual({
      name: "bank",
      port: 25520,
      discovery: { dns: "casty.default.svc.cluster.local" },
    });
  });

  it("leaves unset and empty variables to the defaults", () => {
    expect(clusterOptionsFromEnv({ CASTY_NAME: "bank", CASTY_HOST: "", CASTY_SEEDS: "  " })).toEqual({ name: "bank" });
  });

  it.each([
    [{}, /CASTY_NAME is not set/],
    [{ CASTY_NAME: "my bank" }, /CASTY_NAME="my bank" is invalid: expected cluster \(system\) name/],
    [{ CASTY_NAME: "b", CASTY_PORT: "99999" }, /CASTY_PORT="99999" is invalid: expected port to bind, 0..65535/],
    [{ CASTY_NAME: "b", CASTY_PORT: "80a" }, /CASTY_PORT="80a"/],
    [{ CASTY_NAME: "b", CASTY_ADVERTISE_PORT: "0" }, /CASTY_ADVERTISE_PORT="0"/],
    [{ CASTY_NAME: "b", CASTY_SEEDS: "a:1,b" }, /CASTY_SEEDS="a:1,b" is invalid \("b" is not host:port\)/],
    [{ CASTY_NAME: "b", CASTY_SEEDS: "a:99999" }, /CASTY_SEEDS="a:99999" is invalid \("a:99999" has no valid port\): expected comma-separated host:port/],
    [{ CASTY_NAME: "b", CASTY_SEEDS: "a:1", CASTY_DISCOVERY_DNS: "casty" }, /CASTY_SEEDS and CASTY_DISCOVERY_DNS are both set/],
    [{ CASTY_NAME: "b", CASTY_DISCOVERY_DNS: "casty:25520" }, /CASTY_DISCOVERY_DNS="casty:25520" is invalid: expected a DNS name/],
    [{ CASTY_NAME: "b", CASTY_LOG_LEVEL: "verbose" }, /CASTY_LOG_LEVEL="verbose" is invalid: expected debug, info, warn, error or silent/],
    [{ CASTY_NAME: "b", CASTY_TLS_CA: "/x" }, /missing CASTY_TLS_CERT, CASTY_TLS_KEY/],
    [
      { CASTY_NAME: "b", CASTY_TLS_CA: "/no/such/ca", CASTY_TLS_CERT: "/c", CASTY_TLS_KEY: "/k" },
      /CASTY_TLS_CA="\/no\/such\/ca" is invalid \(cannot read the file/,
    ],
  ])("refuses %o", (env, message) => {
    expect(() => clusterOptionsFromEnv(env)).toThrow(InvalidOptionError);
    expect(() => clusterOptionsFromEnv(env)).toThrow(message);
  });

  it("every variable it reads is in the README's table", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const table = readme.slice(readme.indexOf("| Variable | Option | Accepts |"));
    for (const variable of Object.keys(castyEnvironment)) expect(table).toContain(`\`${variable}\``);
  });
});
