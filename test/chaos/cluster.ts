// The chaos nodes of one run: processes of test/chaos/fixtures/chaos-node.ts on a ChaosNetwork,
// started, killed, paused, cut and restarted by index, with what each printed kept for the checks.
import { join } from "node:path";
import { NodeProcess, type NodeLine } from "../support/node-process.js";
import { waitFor } from "../support/wait.js";
import type { Downing, MembershipView } from "./checker.js";
import type { ChaosNetwork } from "./network.js";

const SCRIPT = join(import.meta.dirname, "fixtures/chaos-node.ts");
const START_TIMEOUT = 40_000;

interface ChaosLine extends NodeLine {
  readonly at: number;
  readonly id?: number;
  readonly ok?: boolean;
  readonly value?: unknown;
  readonly error?: string;
  readonly up?: readonly string[];
  readonly leader?: string;
  readonly node?: string;
}

export interface Reply {
  readonly ok: boolean;
  readonly value?: unknown;
  readonly error?: string;
}

export class ChaosCluster {
  readonly processes: (NodeProcess<ChaosLine> | undefined)[];
  readonly views: MembershipView[] = [];
  readonly downings: Downing[] = [];
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private nextId = 0;
  private readonly paused = new Set<number>();

  constructor(
    readonly network: ChaosNetwork,
    private readonly journal: string,
    private readonly stableAfter: number,
  ) {
    this.processes = network.slots.map(() => undefined);
  }

  get size(): number {
    return this.network.slots.length;
  }

  address(i: number): string {
    return `${this.network.slots[i].host}:${this.network.slots[i].port}`;
  }

  get addresses(): string[] {
    return this.network.slots.map((_, i) => this.address(i));
  }

  /** Nodes whose process runs and is not paused. */
  running(): number[] {
    return this.processes.flatMap((p, i) => (p !== undefined && p.exited === undefined && !this.paused.has(i) ? [i] : []));
  }

  /** Starts node i (again) and waits until it is Up. */
  async start(i: number): Promise<void> {
    const slot = this.network.slots[i];
    const args = ["--name", `n${i}`, "--host", slot.host, "--port", String(slot.port), "--seeds", this.addresses.join(","), "--journal", this.journal];
    const p = new NodeProcess<ChaosLine>(SCRIPT, [...args, "--stable-after", String(this.stableAfter)], {}, slot.prefix);
    this.processes[i] = p;
    p.listeners.add((line) => this.take(i, line));
    await waitFor(() => p.lines.some((l) => l.type === "up") || p.exited !== undefined, START_TIMEOUT, `n${i} to be Up: ${p.describe()}`);
    if (p.exited !== undefined) throw new Error(`n${i} exited while starting: ${p.describe()}`);
  }

  /** Node 0 first (it forms the cluster), then the others together. */
  async startAll(): Promise<void> {
    await this.start(0);
    await Promise.all(this.network.slots.slice(1).map((_, i) => this.start(i + 1)));
  }

  /** Sends a command to node i; the reply, or a failed one after `timeout`. */
  call(i: number, cmd: string, args: Record<string, unknown> = {}, timeout = 4000): Promise<Reply> {
    const p = this.processes[i];
    if (p === undefined || p.exited !== undefined) return Promise.resolve({ ok: false, error: `n${i} is not running` });
    const id = this.nextId++;
    return new Promise<Reply>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, error: `no reply from n${i} within ${timeout} ms` });
      }, timeout);
      this.pending.set(id, (reply) => (clearTimeout(timer), resolve(reply)));
      p.send({ id, cmd, ...args });
    });
  }

  kill(i: number): void {
    this.processes[i]?.kill("SIGKILL");
    this.paused.delete(i);
  }

  pause(i: number): void {
    this.processes[i]?.kill("SIGSTOP");
    this.paused.add(i);
  }

  resume(i: number): void {
    this.processes[i]?.kill("SIGCONT");
    this.paused.delete(i);
  }

  /** SIGTERM (a graceful leave) and waits for the exit, then kills it when it takes longer than `timeout`. */
  async stop(i: number, timeout = 20_000): Promise<void> {
    const p = this.processes[i];
    if (p === undefined || p.exited !== undefined) return;
    p.kill("SIGTERM");
    await waitFor(() => p.exited !== undefined, timeout, `n${i} to exit`).catch(() => p.kill("SIGKILL"));
    await waitFor(() => p.exited !== undefined, 5000, `n${i} to die`);
  }

  /** Waits (bounded) for node i's process to end, e.g. once it downed itself. */
  async exited(i: number, timeout: number): Promise<boolean> {
    const p = this.processes[i];
    if (p === undefined) return true;
    return waitFor(() => p.exited !== undefined, timeout, `n${i} to exit`).then(
      () => true,
      () => false,
    );
  }

  /** Cuts nodes i and j apart: in the namespaces, or through both nodes' fault hooks. */
  async cut(i: number, j: number): Promise<void> {
    if (!this.network.cut(i, j)) await Promise.all([this.call(i, "block", { peer: this.address(j) }), this.call(j, "block", { peer: this.address(i) })]);
  }

  async heal(i: number, j: number): Promise<void> {
    if (!this.network.heal(i, j)) await Promise.all([this.call(i, "unblock", { peer: this.address(j) }), this.call(j, "unblock", { peer: this.address(i) })]);
  }

  /** Asks every running node for its view, until they all list exactly `expected` Up with one leader (bounded). */
  async converge(expected: readonly number[], timeout: number): Promise<boolean> {
    const want = expected
      .map((i) => this.address(i))
      .sort()
      .join(",");
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      const replies = await Promise.all(expected.map((i) => this.call(i, "members", {}, 2000)));
      const latest = expected.map((i) => this.views.filter((v) => v.node === this.address(i)).at(-1));
      if (
        replies.every((r) => r.ok) &&
        latest.every((v) => v !== undefined && [...v.up].sort().join(",") === want) &&
        new Set(latest.map((v) => v!.leader)).size === 1
      )
        return true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return false;
  }

  async shutdown(): Promise<void> {
    for (const [i, p] of this.processes.entries()) {
      if (p === undefined) continue;
      if (this.paused.has(i)) this.resume(i);
      p.kill("SIGTERM");
    }
    const live = this.processes.filter((p): p is NodeProcess<ChaosLine> => p !== undefined);
    await waitFor(() => live.every((p) => p.exited !== undefined), 15_000, "the chaos nodes to exit").catch(() => {
      for (const p of live) p.kill("SIGKILL");
    });
    await waitFor(() => live.every((p) => p.exited !== undefined), 5000, "the chaos nodes to die").catch(() => undefined);
  }

  describe(): string {
    return this.processes.map((p, i) => `n${i}: ${p?.describe() ?? "never started"}`).join("\n");
  }

  private take(i: number, line: ChaosLine): void {
    switch (line.type) {
      case "reply":
        this.pending.get(line.id!)?.({ ok: line.ok!, value: line.value, error: line.error });
        this.pending.delete(line.id!);
        break;
      case "members":
        this.views.push({ node: this.address(i), at: line.at, up: line.up ?? [], leader: line.leader });
        break;
      case "downed":
        if (!this.downings.some((d) => d.node === line.node)) this.downings.push({ node: line.node!, at: line.at });
        break;
    }
  }
}
