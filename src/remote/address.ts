// Actor URIs: `casty://<system>@<host>:<port>/<path>` for refs reachable over the wire, and
// `casty://<system>/<path>` for refs of a system without remoting. IPv6 hosts are written in brackets.

/** The parts of an actor URI. `host` and `port` are both present (remote form) or both absent (local form). */
export interface ActorAddress {
  readonly system: string;
  readonly host?: string;
  readonly port?: number;
  /** Path inside the system, starting with `/`, taken verbatim (e.g. `/user/accounts`). */
  readonly path: string;
}

/** Thrown for a malformed actor URI or node key, or for parts that cannot form one. */
export class InvalidAddressError extends Error {
  override readonly name = "InvalidAddressError";
}

const SCHEME = "casty://";
/** The one rule for system names, the same as `ActorSystem`'s: letters, digits, "-" and "_", not starting with a symbol. */
const SYSTEM_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const HOST_NAME = /^[A-Za-z0-9._-]+$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9._-]+)?$/;

export function formatActorUri(address: ActorAddress): string {
  const { system, host, port, path } = address;
  checkSystem(system);
  if (!path.startsWith("/")) throw new InvalidAddressError(`actor path must start with "/": ${JSON.stringify(path)}`);
  if (host === undefined && port === undefined) return `${SCHEME}${system}${path}`;
  if (host === undefined || port === undefined) {
    throw new InvalidAddressError(`actor address needs both host and port, or neither: ${JSON.stringify(address)}`);
  }
  return nodeUri(system, nodeKey(host, port)) + path;
}

export function isValidSystemName(name: string): boolean {
  return SYSTEM_NAME.test(name);
}

/** `casty://<system>@<host:port>`: the prefix of every actor URI on that node (`nodeKey` as from `nodeKey`). */
export function nodeUri(system: string, key: string): string {
  return `${SCHEME}${system}@${key}`;
}

/**
 * The node prefix and the path of an actor URI, split without validation (for URIs this node made or
 * already checked; `parseActorUri` validates). No path means "/".
 */
export function splitActorUri(uri: string): { readonly node: string; readonly path: string } {
  const slash = uri.indexOf("/", SCHEME.length);
  return slash < 0 ? { node: uri, path: "/" } : { node: uri.slice(0, slash), path: uri.slice(slash) };
}

export function parseActorUri(uri: string): ActorAddress {
  if (!uri.startsWith(SCHEME)) throw invalidUri(uri, `it must start with "${SCHEME}"`);
  const slash = uri.indexOf("/", SCHEME.length);
  const authority = slash < 0 ? uri.slice(SCHEME.length) : uri.slice(SCHEME.length, slash);
  const path = slash < 0 ? "/" : uri.slice(slash);
  const at = authority.indexOf("@");
  const system = at < 0 ? authority : authority.slice(0, at);
  if (!SYSTEM_NAME.test(system)) throw invalidUri(uri, `bad system name ${JSON.stringify(system)}`);
  if (at < 0) return { system, path };
  const node = splitNodeKey(authority.slice(at + 1));
  if (typeof node === "string") throw invalidUri(uri, node);
  return { system, host: node.host, port: node.port, path };
}

/** The `host:port` key of a node, as in `seedNodes`; IPv6 hosts are bracketed (`[::1]:25520`). */
export function nodeKey(host: string, port: number): string {
  checkHost(host);
  checkPort(port);
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Why `host` and `port` cannot form a node key, or undefined when they can (for validating peers' frames). */
export function nodeKeyProblem(host: string, port: number): string | undefined {
  try {
    nodeKey(host, port);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function parseNodeKey(key: string): { host: string; port: number } {
  const node = splitNodeKey(key);
  if (typeof node === "string") throw new InvalidAddressError(`invalid node address ${JSON.stringify(key)}: ${node}`);
  return node;
}

/** Splits `host:port` / `[v6]:port`; returns the reason as a string when malformed. */
function splitNodeKey(key: string): { host: string; port: number } | string {
  let host: string;
  let rest: string;
  if (key.startsWith("[")) {
    const close = key.indexOf("]");
    if (close < 0) return "missing ] after IPv6 host";
    host = key.slice(1, close);
    if (!IPV6.test(host)) return `bad IPv6 host ${JSON.stringify(host)}`;
    rest = key.slice(close + 1);
  } else {
    const colon = key.lastIndexOf(":");
    if (colon < 0) return "missing :port";
    host = key.slice(0, colon);
    if (host.includes(":")) return "an IPv6 host must be in brackets, e.g. [::1]:25520";
    if (!HOST_NAME.test(host)) return `bad host ${JSON.stringify(host)}`;
    rest = key.slice(colon);
  }
  if (!/^:\d{1,5}$/.test(rest)) return `bad port ${JSON.stringify(rest.slice(1))}`;
  const port = Number(rest.slice(1));
  if (port < 1 || port > 65535) return `port ${port} is out of range 1-65535`;
  return { host, port };
}

function checkSystem(system: string): void {
  if (!SYSTEM_NAME.test(system)) {
    throw new InvalidAddressError(`bad system name ${JSON.stringify(system)}: use letters, digits, "_" or "-", not starting with a symbol`);
  }
}

function checkHost(host: string): void {
  if (!(host.includes(":") ? IPV6.test(host) : HOST_NAME.test(host))) {
    throw new InvalidAddressError(`bad host ${JSON.stringify(host)}`);
  }
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidAddressError(`bad port ${port}: must be an integer in 1-65535`);
  }
}

function invalidUri(uri: string, reason: string): InvalidAddressError {
  return new InvalidAddressError(`invalid actor URI ${JSON.stringify(uri)}: ${reason}`);
}
