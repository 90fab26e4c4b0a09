import { Resolver } from "node:dns/promises";
import type { Logger } from "../actor/logger.js";
import type { Scheduler, TimerHandle } from "../actor/scheduler.js";
import { nodeKey } from "../remote/address.js";
import { compareAddresses } from "./member.js";
import type { SeedSource } from "./seed-source.js";

export interface ResolvedDiscovery {
  readonly dns: string;
  /** Port of the nodes behind A/AAAA records (SRV records carry their own). */
  readonly port: number;
  readonly interval: number;
  /** DNS servers to ask ("127.0.0.1:5353"); default: the system's. */
  readonly servers: readonly string[] | undefined;
  readonly requiredContactPoints: number;
  readonly stableMargin: number;
}

/** Failed lookups logged at debug before one warning (then every this many). */
const FAILURES_BEFORE_WARN = 5;

/**
 * Seeds from the DNS records of a name, as a Kubernetes headless service gives them: A/AAAA records
 * (`<ip>:<port>`), or SRV records when the name starts with `_` (`<target>:<port>`), re-resolved every
 * `interval` until the node joined. The rule against two clusters at startup (as Akka Cluster
 * Bootstrap's): only the lowest address forms a cluster, only once at least `requiredContactPoints`
 * nodes are in the records, the records have not changed for `stableMargin`, and no node answered a
 * join (the daemon's part of the rule).
 */
export class DnsSeeds implements SeedSource {
  private discovered: readonly string[] = [];
  private changedAt: number | undefined;
  private timer: TimerHandle | undefined;
  private failures = 0;
  private stopped = false;
  private readonly resolver = new Resolver({ timeout: 1000, tries: 2 });

  constructor(
    private readonly options: ResolvedDiscovery,
    private readonly scheduler: Scheduler,
    private readonly log: Logger,
  ) {
    if (options.servers !== undefined) this.resolver.setServers([...options.servers]);
  }

  seeds(): readonly string[] {
    return this.discovered;
  }

  formsAtOnce(): boolean {
    return false;
  }

  mayForm(self: string, now: number): boolean {
    return (
      this.changedAt !== undefined &&
      this.discovered.length >= this.options.requiredContactPoints &&
      this.discovered[0] === self &&
      now - this.changedAt >= this.options.stableMargin
    );
  }

  describe(): string {
    return `DNS ${this.options.dns} (${this.discovered.length === 0 ? "nothing resolved yet" : this.discovered.join(", ")})`;
  }

  start(): void {
    this.stopped = false;
    this.lookup();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.resolver.cancel();
  }

  private lookup(): void {
    this.resolve().then(
      (addresses) => this.found(addresses),
      (error: unknown) => this.failed(error),
    );
  }

  private found(addresses: string[]): void {
    if (this.stopped) return;
    this.failures = 0;
    const sorted = [...new Set(addresses)].sort(compareAddresses);
    if (this.changedAt === undefined || sorted.join(",") !== this.discovered.join(",")) {
      this.log.debug(`${this.options.dns} resolves to ${sorted.join(", ") || "nothing"}`);
      this.discovered = sorted;
      this.changedAt = this.scheduler.now();
    }
    this.next();
  }

  private failed(error: unknown): void {
    if (this.stopped) return;
    this.failures++;
    const message = `cannot resolve ${this.options.dns}: ${(error as Error).message}`;
    if (this.failures % FAILURES_BEFORE_WARN === 0) this.log.warn(`${message} (${this.failures} lookups failed)`);
    else this.log.debug(message);
    this.next();
  }

  private next(): void {
    this.timer = this.scheduler.setTimeout(() => this.lookup(), this.options.interval);
  }

  private async resolve(): Promise<string[]> {
    const { dns, port } = this.options;
    if (dns.startsWith("_")) return (await this.resolver.resolveSrv(dns)).map((record) => nodeKey(record.name, record.port));
    const [v4, v6] = await Promise.all([this.records(() => this.resolver.resolve4(dns)), this.records(() => this.resolver.resolve6(dns))]);
    if (v4 === undefined && v6 === undefined) throw new Error(`no A or AAAA records`);
    return [...(v4 ?? []), ...(v6 ?? [])].map((ip) => nodeKey(ip, port));
  }

  /** The records of one type; undefined when the name has none of them. */
  private async records(query: () => Promise<string[]>): Promise<string[] | undefined> {
    try {
      return await query();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENODATA" || code === "ENOTFOUND") return undefined;
      throw error;
    }
  }
}
