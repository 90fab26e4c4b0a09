import type { Logger } from "../actor/logger.js";
import { leastLoaded, rebalancePlan, type Home } from "./allocation.js";
import { TYPE, type Coordination } from "./protocol.js";
import type * as pb from "../../gen/casty/v1/sharding.js";

export interface CoordinatorHost {
  readonly log: Logger;
  now(): number;
  /** Addresses of the Up members (regions elsewhere cannot host shards). */
  upMembers(): ReadonlySet<string>;
  send(node: string, message: Coordination): void;
}

export interface CoordinatorOptions {
  /** Shards moving at once when loads even out. */
  readonly maxSimultaneousRebalance: number;
  /** A new coordinator allocates new shards only after every Up member registered, or this long. */
  readonly rebuildWindow: number;
}

/**
 * The allocation authority of one entity type; the region on the leader runs it. It learns the
 * regions (and what they own) from their registrations, allocates least-shards-first, evens out loads
 * one handoff at a time, and empties regions whose node leaves.
 */
export class ShardCoordinator {
  private readonly regions = new Map<string, boolean>();
  private readonly homes = new Map<number, Home>();
  private readonly moving = new Map<number, string | undefined>();
  private readonly leaving = new Set<string>();
  private epoch = 0n;
  private readonly startedAt: number;

  constructor(
    private readonly host: CoordinatorHost,
    private readonly options: CoordinatorOptions,
  ) {
    this.startedAt = host.now();
  }

  receive(message: Coordination): void {
    switch (message.$type) {
      case TYPE.register:
        return this.register(message);
      case TYPE.getHome:
        return this.getHome(message.shardId, message.node);
      case TYPE.stopped:
        return this.shardStopped(message.shardId, message.node);
      case TYPE.gracefulShutdown:
        return this.gracefulShutdown(message.node);
      default:
        return;
    }
  }

  /** The node of a region is gone (removed or downed): its shards become unallocated. */
  memberGone(node: string): void {
    this.regions.delete(node);
    this.leaving.delete(node);
    for (const [shard, home] of this.homes) {
      if (home.node !== node) continue;
      this.homes.delete(shard);
      this.moving.delete(shard); // its ShardStopped never comes: the shard is free now
    }
    for (const [shard, target] of this.moving) if (target === node) this.moving.set(shard, undefined);
  }

  /** Periodic: start the next handoffs of a rebalance. */
  rebalance(): void {
    if (!this.ready() || this.moving.size >= this.options.maxSimultaneousRebalance) return;
    const plan = rebalancePlan(this.homes, this.hostingRegions(), this.moving, this.options.maxSimultaneousRebalance - this.moving.size);
    for (const { shard, from, to } of plan) {
      this.host.log.info(`rebalancing shard ${shard} from ${from} to ${to}`);
      this.moving.set(shard, to);
      this.host.send(from, { $type: TYPE.handOff, shardId: shard });
    }
  }

  private register(message: pb.RegisterRegion): void {
    this.regions.set(message.node, message.hosting);
    if (message.knownEpoch > this.epoch) this.epoch = message.knownEpoch;
    for (const owned of message.owned) {
      const current = this.homes.get(owned.shardId);
      if (current === undefined || current.epoch < owned.epoch) this.homes.set(owned.shardId, { node: message.node, epoch: owned.epoch });
      if (owned.epoch > this.epoch) this.epoch = owned.epoch;
    }
    this.host.send(message.node, { $type: TYPE.homes, homes: [...this.homes].map(([shardId, h]) => ({ shardId, node: h.node, epoch: h.epoch })) });
  }

  private getHome(shard: number, asking: string): void {
    let home = this.homes.get(shard);
    if (home === undefined) {
      if (this.moving.has(shard) || !this.ready()) return; // the region asks again
      const node = leastLoaded(this.homes, this.hostingRegions());
      if (node === undefined) return;
      home = this.allocate(shard, node);
      this.broadcast(shard, home);
      return;
    }
    this.host.send(asking, { $type: TYPE.homes, homes: [{ shardId: shard, node: home.node, epoch: home.epoch }] });
  }

  private shardStopped(shard: number, node: string): void {
    if (!this.moving.has(shard)) {
      // A repeated report, or one sent to the coordinator before this one (a leader change during the
      // handoff): the region waits for a home for the shard's messages.
      const home = this.homes.get(shard);
      if (home !== undefined && home.node !== node) {
        this.host.send(node, { $type: TYPE.homes, homes: [{ shardId: shard, node: home.node, epoch: home.epoch }] });
        return;
      }
      if (!this.ready()) return; // the region reports again
      this.moving.set(shard, undefined);
    }
    let target = this.moving.get(shard);
    this.moving.delete(shard);
    const candidates = this.hostingRegions();
    if (target === undefined || !candidates.includes(target)) target = leastLoaded(new Map([...this.homes].filter(([s]) => s !== shard)), candidates);
    if (target === undefined) {
      // nowhere to go (every other region leaves too): unallocated, announced as an empty node
      this.homes.delete(shard);
      for (const region of this.regions.keys()) this.host.send(region, { $type: TYPE.homes, homes: [{ shardId: shard, node: "", epoch: ++this.epoch }] });
      return;
    }
    this.broadcast(shard, this.allocate(shard, target));
  }

  private gracefulShutdown(node: string): void {
    this.leaving.add(node);
    const remaining = new Map(this.homes);
    for (const [shard, home] of this.homes) {
      if (home.node !== node || this.moving.has(shard)) continue;
      const target = leastLoaded(remaining, this.hostingRegions());
      this.moving.set(shard, target);
      if (target !== undefined) remaining.set(shard, { node: target, epoch: 0n });
      this.host.send(node, { $type: TYPE.handOff, shardId: shard });
    }
    if (![...this.homes.values()].some((h) => h.node === node)) this.host.send(node, { $type: TYPE.homes, homes: [] });
  }

  private allocate(shard: number, node: string): Home {
    const home = { node, epoch: ++this.epoch };
    this.homes.set(shard, home);
    return home;
  }

  private broadcast(shard: number, home: Home): void {
    const message: Coordination = { $type: TYPE.homes, homes: [{ shardId: shard, node: home.node, epoch: home.epoch }] };
    for (const region of this.regions.keys()) this.host.send(region, message);
  }

  private hostingRegions(): string[] {
    const up = this.host.upMembers();
    return [...this.regions].filter(([node, hosting]) => hosting && up.has(node) && !this.leaving.has(node)).map(([node]) => node);
  }

  private ready(): boolean {
    if (this.host.now() - this.startedAt >= this.options.rebuildWindow) return true;
    const up = this.host.upMembers();
    return [...up].every((node) => this.regions.has(node));
  }
}
