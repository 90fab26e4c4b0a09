// Where the chaos nodes live. As root with a working `ip`: each node in its own network namespace,
// joined by veth pairs to a bridge this run creates (names carry the runner's pid, so runs never clash
// and a later run removes what a killed one left); links are cut with iptables inside the namespaces
// and packets dropped with iptables' random match (this kernel has no netem). Otherwise every node
// listens on 127.0.0.1 and the transport's fault hook (`blockPeer`) cuts links.
import { execFileSync } from "node:child_process";
import { freePorts } from "../support/free-port.js";

export interface NodeSlot {
  readonly host: string;
  readonly port: number;
  /** What node is spawned through (`ip netns exec <ns>`), empty on 127.0.0.1. */
  readonly prefix: readonly string[];
}

export interface ChaosNetwork {
  /** How faults are made, for the report. */
  readonly mechanism: string;
  readonly slots: readonly NodeSlot[];
  /** Cuts both directions between nodes i and j; false when this network cannot (the hook does it). */
  cut(i: number, j: number): boolean;
  heal(i: number, j: number): boolean;
  /** Drops `percent` of the packets node i receives and sends; false when this network cannot. */
  loss(i: number, percent: number): boolean;
  clearLoss(i: number): boolean;
  destroy(): void;
}

const PORT = 25520;
let runs = 0;

function ip(...args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
}

function quietly(run: () => unknown): void {
  try {
    run();
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes namespaces and bridges of runs whose process is gone. */
function sweep(): void {
  for (const line of ip("netns", "list").split("\n")) {
    const match = /^(casty-(\d+)-\S+)/.exec(line);
    if (match !== null && !alive(Number(match[2]))) quietly(() => ip("netns", "del", match[1]));
  }
  for (const line of ip("-o", "link", "show", "type", "bridge").split("\n")) {
    const match = /^\d+: (cb([0-9a-z]{5})[0-9a-z]):/.exec(line);
    if (match !== null && !alive(parseInt(match[2], 36))) quietly(() => ip("link", "del", match[1]));
  }
}

class NamespaceNetwork implements ChaosNetwork {
  readonly mechanism = "network namespaces on a veth bridge: kill -9 / SIGSTOP, iptables DROP between namespaces, iptables random drop for loss";
  readonly slots: NodeSlot[] = [];
  private readonly namespaces: string[] = [];
  private readonly bridge: string;
  private readonly onExit = () => this.destroy();

  constructor(count: number) {
    sweep();
    const id = process.pid.toString(36).padStart(5, "0") + (runs++ % 36).toString(36);
    this.bridge = `cb${id}`;
    const subnet = `10.213.${(process.pid * 7 + runs) % 250}`;
    process.once("exit", this.onExit);
    try {
      ip("link", "add", this.bridge, "type", "bridge");
      ip("addr", "add", `${subnet}.1/24`, "dev", this.bridge);
      ip("link", "set", this.bridge, "up");
      for (let i = 0; i < count; i++) {
        const ns = `casty-${process.pid}-${id}-${i}`;
        const veth = `cv${id}${i}`;
        const address = `${subnet}.${10 + i}`;
        ip("netns", "add", ns);
        this.namespaces.push(ns);
        ip("link", "add", veth, "type", "veth", "peer", "name", `cp${id}${i}`);
        ip("link", "set", `cp${id}${i}`, "netns", ns);
        ip("link", "set", veth, "master", this.bridge, "up");
        const inside = (...args: string[]) => ip("netns", "exec", ns, "ip", ...args);
        inside("link", "set", `cp${id}${i}`, "name", "eth0");
        inside("addr", "add", `${address}/24`, "dev", "eth0");
        inside("link", "set", "eth0", "up");
        inside("link", "set", "lo", "up");
        this.slots.push({ host: address, port: PORT, prefix: ["ip", "netns", "exec", ns] });
      }
    } catch (error) {
      this.destroy();
      throw error;
    }
  }

  cut(i: number, j: number): boolean {
    this.link("-A", i, j);
    this.link("-A", j, i);
    return true;
  }

  heal(i: number, j: number): boolean {
    this.link("-D", i, j);
    this.link("-D", j, i);
    return true;
  }

  loss(i: number, percent: number): boolean {
    for (const chain of ["INPUT", "OUTPUT"])
      this.iptables(i, "-A", chain, "-m", "statistic", "--mode", "random", "--probability", String(percent / 100), "-j", "DROP");
    return true;
  }

  clearLoss(i: number): boolean {
    for (const chain of ["INPUT", "OUTPUT"]) this.iptables(i, "-F", chain);
    return true;
  }

  destroy(): void {
    process.removeListener("exit", this.onExit);
    for (const ns of this.namespaces.splice(0)) quietly(() => ip("netns", "del", ns)); // takes its veth end, and so the pair, with it
    quietly(() => ip("link", "del", this.bridge));
  }

  private link(action: "-A" | "-D", from: number, to: number): void {
    this.iptables(from, action, "INPUT", "-s", this.slots[to].host, "-j", "DROP");
    this.iptables(from, action, "OUTPUT", "-d", this.slots[to].host, "-j", "DROP");
  }

  private iptables(i: number, ...args: string[]): void {
    execFileSync("ip", ["netns", "exec", this.namespaces[i], "iptables", "-w", ...args], { stdio: "ignore", timeout: 10_000 });
  }
}

class LoopbackNetwork implements ChaosNetwork {
  readonly mechanism = "127.0.0.1 with the transport fault hook (blockPeer) for cuts; kill -9 / SIGSTOP; no packet loss";
  constructor(readonly slots: readonly NodeSlot[]) {}
  cut = () => false;
  heal = () => false;
  loss = () => false;
  clearLoss = () => false;
  destroy(): void {}
}

/** Namespaces when the runner is root and `ip` works (and CASTY_CHAOS_NETNS is not "0"), else loopback. */
export async function chaosNetwork(count: number): Promise<ChaosNetwork> {
  if (process.getuid?.() === 0 && process.env.CASTY_CHAOS_NETNS !== "0") {
    try {
      return new NamespaceNetwork(count);
    } catch {
      // no namespaces here: fall back to the hook
    }
  }
  const ports = await freePorts(count);
  return new LoopbackNetwork(ports.map((port) => ({ host: "127.0.0.1", port, prefix: [] })));
}
