// The whole stack of several nodes in one process, in virtual time: real ClusterDaemons (join, gossip,
// heartbeats, the failure detector, downing, leader actions) on an in-memory network, real shard
// regions hosted on that membership, and event-sourced entities on one InMemoryJournal (the database
// every node shares). Crashes, partitions and restarts are steps of a seeded script; everything runs on
// one VirtualScheduler, so the same seed gives the same run.
import type { GossipEnvelope, HeartbeatRequest, JoinRequest, JoinResponse } from "../../../gen/casty/v1/cluster.js";
import type { Logger } from "../../../src/actor/logger.js";
import { ClusterDaemon } from "../../../src/cluster/daemon.js";
import { ClusterEvent, LeaderChanged, MemberDowned, MemberUp, memberInfo } from "../../../src/cluster/events.js";
import { leader } from "../../../src/cluster/leader.js";
import { compareAddresses } from "../../../src/cluster/member.js";
import { unreachableAddresses } from "../../../src/cluster/membership.js";
import { resolveClusterOptions } from "../../../src/cluster/options.js";
import type { ClusterTransport } from "../../../src/cluster/transport.js";
import { ActorSystem, Behaviors, InMemoryJournal, ShardEnvelope, regionStats, type ActorRef } from "../../../src/index.js";
import { resolveShardingOptions } from "../../../src/sharding/options.js";
import type { RegionHost } from "../../../src/sharding/region-host.js";
import { shardRegion, type RegionMessage } from "../../../src/sharding/region.js";
import { SimRef } from "../../support/sim-ref.js";
import { VirtualScheduler } from "../../support/virtual-scheduler.js";
import type { Downing } from "../checker.js";
import { History } from "../history.js";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const LATENCY = 2;
const HOST = "10.0.0.1";
/** Promise turns between two timers: enough for a persist and its reply (no I/O: the journal is in memory). */
const MICROTASKS = 30;

export type Cmd =
  { readonly kind: "add"; readonly op: string; readonly replyTo: ActorRef<boolean> } | { readonly kind: "read"; readonly replyTo: ActorRef<readonly string[]> };
export interface Added {
  readonly op: string;
  /** The entity instance that persisted it: node address, incarnation uid, start number. */
  readonly writer: string;
  readonly at: number;
}

export interface StackNode {
  readonly address: string;
  readonly uid: bigint;
  readonly daemon: ClusterDaemon;
  readonly system: ActorSystem;
  readonly region: ActorRef<ShardEnvelope<Cmd>>;
  /** Downed or removed: the node shut itself down. */
  out: boolean;
}

export class SimStack {
  readonly scheduler: VirtualScheduler;
  readonly journal: InMemoryJournal;
  readonly history: History;
  readonly trace: string[] = [];
  readonly downings: Downing[] = [];
  /** The current incarnation at each address. */
  readonly nodes = new Map<string, StackNode>();
  private readonly crashed = new Set<string>();
  private readonly cuts = new Set<string>();
  private readonly systems: ActorSystem[] = [];
  private uids = 0;
  private starts = 0;

  constructor(
    seed: number,
    private readonly numShards = 12,
  ) {
    this.scheduler = new VirtualScheduler(seed, { microtasks: MICROTASKS });
    this.journal = new InMemoryJournal({ scheduler: this.scheduler });
    this.history = new History(() => this.scheduler.now());
  }

  static address(port: number): string {
    return `${HOST}:${port}`;
  }

  /** Starts a node (a new incarnation when its address ran before) that joins through `seed`. */
  start(port: number, seed: string): StackNode {
    const address = SimStack.address(port);
    const uid = BigInt(++this.uids);
    this.crashed.delete(address);
    const system = new ActorSystem({ name: "sim", scheduler: this.scheduler, logger: quiet });
    this.systems.push(system);
    const listeners = new Set<(event: ClusterEvent) => void>();
    const holder: { node?: StackNode } = {};
    const daemon = new ClusterDaemon(
      {
        systemName: "sim",
        selfNode: { system: "sim", host: HOST, port, uid },
        scheduler: this.scheduler,
        log: quiet,
        peers: this.transport(address),
        publish: (event) => {
          if (event instanceof MemberDowned && !this.downings.some((d) => d.node === event.address))
            this.downings.push({ node: event.address, at: this.scheduler.now() });
          for (const listener of [...listeners]) listener(event);
        },
        removed: (reason) => {
          const node = holder.node!;
          if (node.out) return;
          node.out = true;
          this.note(`${address}#${uid} out: ${reason}`);
          node.daemon.stop();
          system.shutdown().catch(() => undefined);
        },
        stateChanged: () => undefined,
      },
      resolveClusterOptions({ name: "sim", seedNodes: [seed], downing: { stableAfter: 2000 } }),
    );
    const hostOf = (ctx: { self: ActorRef<never> }): RegionHost => ({
      selfNode: { address, uid },
      regionOn: (node) =>
        node === address
          ? ctx.self
          : new SimRef(
              (message) =>
                this.deliver(address, node, (target) => (target.region as unknown as ActorRef<RegionMessage<Cmd>>).tell(message as RegionMessage<Cmd>)),
              node,
              ctx.self.path,
            ),
      upMembers: () => new Set(daemon.state.members.filter((m) => m.status === "up").map((m) => m.address)),
      unreachableMembers: () => unreachableAddresses(daemon.state),
      hasRole: () => true,
      subscribe: (listener) => {
        for (const m of [...daemon.state.members].filter((x) => x.status === "up").sort((a, b) => compareAddresses(a.address, b.address)))
          listener(new MemberUp(memberInfo(m)));
        listener(new LeaderChanged(leader(daemon.state)));
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      beforeLeave: () => () => undefined,
    });
    const entity = (entityId: string) => {
      const writer = `${address}#${uid}/${++this.starts}`;
      return Behaviors.eventSourced<Cmd, Added, readonly string[]>({
        entityId,
        journal: this.journal,
        initialState: [],
        onEvent: (ops, e) => [...ops, e.op],
        onCommand: (_ctx, ops, cmd) => {
          if (cmd.kind === "read") {
            cmd.replyTo.tell(ops);
            return Behaviors.same();
          }
          return Behaviors.persisted([{ op: cmd.op, writer, at: this.scheduler.now() }], () => cmd.replyTo.tell(true));
        },
      });
    };
    const behavior = shardRegion(entity, resolveShardingOptions({ numShards: this.numShards, rebalanceInterval: 500 }), hostOf);
    const region = system.spawn(behavior, "entities") as unknown as ActorRef<ShardEnvelope<Cmd>>;
    const node: StackNode = { address, uid, daemon, system, region, out: false };
    holder.node = node;
    this.nodes.set(address, node);
    this.note(`start ${address}#${uid}`);
    daemon.start();
    return node;
  }

  /** The process dies: its timers stop, nothing reaches it or leaves it. */
  crash(address: string): void {
    const node = this.nodes.get(address)!;
    this.crashed.add(address);
    node.daemon.stop();
    this.note(`crash ${address}#${node.uid}`);
  }

  partition(side: readonly string[], rest: readonly string[]): void {
    for (const a of side) for (const b of rest) this.cuts.add(`${a}|${b}`).add(`${b}|${a}`);
    this.note(`partition ${side.join(",")} | ${rest.join(",")}`);
  }

  heal(): void {
    this.cuts.clear();
    this.note("heal");
  }

  /** Nodes whose current incarnation runs and is still in the cluster. */
  live(): StackNode[] {
    return [...this.nodes.values()].filter((n) => !this.crashed.has(n.address) && !n.out);
  }

  isDown(address: string): boolean {
    const node = this.nodes.get(address);
    return node === undefined || node.out || this.crashed.has(address);
  }

  upSet(node: StackNode): string {
    return node.daemon.state.members
      .filter((m) => m.status === "up")
      .map((m) => m.address)
      .sort()
      .join(",");
  }

  /** One operation on `entity` through `via`'s region, recorded in the history. */
  operate(via: StackNode, entity: string, op: string | undefined, timeout: number): void {
    const complete = this.history.invoke(via.address, op === undefined ? "read" : "add", entity, op);
    const asked =
      op === undefined
        ? via.system.ask(via.region, (replyTo: ActorRef<readonly string[]>) => new ShardEnvelope<Cmd>(entity, { kind: "read", replyTo }), { timeout })
        : via.system.ask(via.region, (replyTo: ActorRef<boolean>) => new ShardEnvelope<Cmd>(entity, { kind: "add", op, replyTo }), { timeout });
    asked.then(
      (result) => complete("ok", Array.isArray(result) ? { result: result as string[] } : {}),
      (error: unknown) => complete("timeout", { error: String(error) }),
    );
  }

  shardOwners(): Map<number, string[]> {
    const owners = new Map<number, string[]>();
    for (const node of this.live()) for (const shard of regionStats(node.region)?.shards ?? []) owners.set(shard, [...(owners.get(shard) ?? []), node.address]);
    return owners;
  }

  deliver(from: string, to: string, action: (target: StackNode) => void): void {
    const sender = this.nodes.get(from);
    this.scheduler.setTimeout(() => {
      const target = this.nodes.get(to);
      if (target === undefined || sender === undefined || target.out || sender.out || !this.reachable(from, to)) return;
      action(target);
    }, LATENCY);
  }

  async shutdown(): Promise<void> {
    for (const node of this.nodes.values()) node.daemon.stop();
    let done = false;
    const all = Promise.all(this.systems.map((s) => s.shutdown().catch(() => undefined))).finally(() => (done = true));
    await this.scheduler.until(() => done, 60_000, 50).catch(() => undefined);
    await all;
  }

  private note(line: string): void {
    this.trace.push(`${this.scheduler.now()} ${line}`);
  }

  private reachable(from: string, to: string): boolean {
    return !this.crashed.has(from) && !this.crashed.has(to) && !this.cuts.has(`${from}|${to}`);
  }

  private transport(self: string): ClusterTransport {
    const sendGossip = (to: string, envelope: GossipEnvelope): void =>
      this.deliver(self, to, (target) =>
        target.daemon.onGossip(envelope, (reply) => this.deliver(to, self, (me) => me.daemon.onGossip(reply, (back) => sendGossip(to, back)))),
      );
    return {
      sendGossip,
      sendHeartbeat: (to: string, request: HeartbeatRequest) =>
        this.deliver(self, to, (target) => {
          const response = target.daemon.answerHeartbeat(request);
          if (response !== undefined) this.deliver(to, self, (me) => me.daemon.onHeartbeatResponse(response));
        }),
      join: (to: string, request: JoinRequest, timeout: number) =>
        new Promise<JoinResponse>((resolve, reject) => {
          const timer = this.scheduler.setTimeout(() => reject(new Error("join timed out")), timeout);
          this.deliver(self, to, (target) => {
            const response = target.daemon.handleJoin(request);
            this.deliver(to, self, () => {
              this.scheduler.clearTimeout(timer);
              resolve(response);
            });
          });
        }),
    };
  }
}
