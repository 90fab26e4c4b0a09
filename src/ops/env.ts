import { readFileSync } from "node:fs";
import { InvalidOptionError } from "../actor/errors.js";
import type { LogLevel } from "../actor/logger.js";
import type { NodeOptions } from "../node/clustered-system.js";

/** The environment variables `clusterOptionsFromEnv` reads, with what each accepts (also the README table). */
export const castyEnvironment = {
  CASTY_NAME: "cluster (system) name: letters, digits, '-' and '_'",
  CASTY_HOST: "interface to bind, e.g. 0.0.0.0 (default 127.0.0.1)",
  CASTY_PORT: "port to bind, 0..65535 (default 25520)",
  CASTY_ADVERTISE_HOST: "host other nodes reach this node at (e.g. the pod IP)",
  CASTY_ADVERTISE_PORT: "port other nodes reach this node at, 1..65535",
  CASTY_SEEDS: "comma-separated host:port seed nodes",
  CASTY_DISCOVERY_DNS: "a DNS name whose A/AAAA (or SRV, starting with _) records are the nodes, instead of CASTY_SEEDS",
  CASTY_ROLES: "comma-separated roles",
  CASTY_TLS_CA: "path of the CA certificate (PEM); with _CERT and _KEY turns on mutual TLS",
  CASTY_TLS_CERT: "path of this node's certificate (PEM)",
  CASTY_TLS_KEY: "path of this node's private key (PEM)",
  CASTY_LOG_LEVEL: "debug, info, warn, error or silent (default info)",
  CASTY_HTTP_PORT: "port of the HTTP server for operators (/metrics, the cluster page), 0..65535 (default: none)",
  CASTY_HTTP_HOST: "interface of the HTTP server (default: CASTY_HOST, else 127.0.0.1); needs CASTY_HTTP_PORT",
} as const;

export type CastyVariable = keyof typeof castyEnvironment;

const logLevels: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

/** A variable with a value that it does not accept: names the variable and what it takes. */
function invalid(variable: CastyVariable, value: string, why?: string): InvalidOptionError {
  return new InvalidOptionError(
    `${variable}=${JSON.stringify(value)} is invalid${why === undefined ? "" : ` (${why})`}: expected ${castyEnvironment[variable]}`,
  );
}

function parsePort(value: string, min: number): number | undefined {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(parsed) && parsed >= min && parsed <= 65535 ? parsed : undefined;
}

function port(variable: CastyVariable, value: string, min: number): number {
  const parsed = parsePort(value, min);
  if (parsed === undefined) throw invalid(variable, value);
  return parsed;
}

function list(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function seeds(value: string): string[] {
  const parsed = list(value);
  for (const seed of parsed) {
    const colon = seed.lastIndexOf(":");
    const host = colon < 0 ? "" : seed.slice(0, colon);
    if (host.length === 0 || /[\s/]/.test(host)) throw invalid("CASTY_SEEDS", value, `"${seed}" is not host:port`);
    if (parsePort(seed.slice(colon + 1), 1) === undefined) throw invalid("CASTY_SEEDS", value, `"${seed}" has no valid port`);
  }
  return parsed;
}

function pemFile(variable: CastyVariable, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw invalid(variable, path, `cannot read the file: ${(error as Error).message}`);
  }
}

/**
 * Cluster options from `CASTY_*` environment variables (see `castyEnvironment`), as a container or
 * Kubernetes pod passes them. Unset variables keep the option's default; a bad value throws an
 * `InvalidOptionError` that names the variable and what it accepts.
 */
export function clusterOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): NodeOptions {
  const value = (variable: CastyVariable): string | undefined => {
    const raw = env[variable]?.trim();
    return raw === undefined || raw.length === 0 ? undefined : raw;
  };
  const name = value("CASTY_NAME");
  if (name === undefined) throw new InvalidOptionError(`CASTY_NAME is not set: expected ${castyEnvironment.CASTY_NAME}`);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) throw invalid("CASTY_NAME", name);
  const options: NodeOptions = { name };
  const host = value("CASTY_HOST");
  if (host !== undefined) options.host = host;
  const bindPort = value("CASTY_PORT");
  if (bindPort !== undefined) options.port = port("CASTY_PORT", bindPort, 0);
  const advertiseHost = value("CASTY_ADVERTISE_HOST");
  if (advertiseHost !== undefined) options.advertiseHost = advertiseHost;
  const advertisePort = value("CASTY_ADVERTISE_PORT");
  if (advertisePort !== undefined) options.advertisePort = port("CASTY_ADVERTISE_PORT", advertisePort, 1);
  const seedList = value("CASTY_SEEDS");
  if (seedList !== undefined) options.seedNodes = seeds(seedList);
  const dns = value("CASTY_DISCOVERY_DNS");
  if (dns !== undefined) {
    if (options.seedNodes !== undefined) throw new InvalidOptionError("CASTY_SEEDS and CASTY_DISCOVERY_DNS are both set: give one of them");
    if (/\s|\/|:/.test(dns)) throw invalid("CASTY_DISCOVERY_DNS", dns);
    options.discovery = { dns };
  }
  const roles = value("CASTY_ROLES");
  if (roles !== undefined) options.roles = list(roles);
  const level = value("CASTY_LOG_LEVEL");
  if (level !== undefined) {
    if (!(logLevels as readonly string[]).includes(level)) throw invalid("CASTY_LOG_LEVEL", level);
    options.logLevel = level as LogLevel;
  }
  const httpPort = value("CASTY_HTTP_PORT");
  const httpHost = value("CASTY_HTTP_HOST");
  if (httpPort !== undefined) options.http = { port: port("CASTY_HTTP_PORT", httpPort, 0), ...(httpHost === undefined ? {} : { host: httpHost }) };
  else if (httpHost !== undefined) throw new InvalidOptionError("CASTY_HTTP_HOST is set without CASTY_HTTP_PORT: give the port too");
  const tlsParts = (["CASTY_TLS_CA", "CASTY_TLS_CERT", "CASTY_TLS_KEY"] as const).map((variable) => [variable, value(variable)] as const);
  const given = tlsParts.filter(([, path]) => path !== undefined);
  if (given.length > 0) {
    const missing = tlsParts.filter(([, path]) => path === undefined).map(([variable]) => variable);
    if (missing.length > 0) throw new InvalidOptionError(`TLS needs CASTY_TLS_CA, CASTY_TLS_CERT and CASTY_TLS_KEY; missing ${missing.join(", ")}`);
    const [ca, cert, key] = tlsParts.map(([variable, path]) => pemFile(variable, path!));
    options.tls = { ca: ca, cert: cert, key: key };
  }
  return options;
}
