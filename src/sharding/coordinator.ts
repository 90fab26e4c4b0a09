import type { Logger } from "../actor/logger.js";
import { allocationAt, leastLoaded, ownerOf, rebalancePlan, type ShardAllocation } from "./allocation.js";
import { apply, emptyCoordinatorState, type CoordinatorEvent, type CoordinatorState } from "./coordinator-state.js";
import { TYPE, wireHome, type Coordination } from "./protocol.js";
import type * as pb from "../../gen/casty/v1/sharding.js";

export interface CoordinatorHost {
  readonly log: Logger;
  now(): number;
  /** Addresses of the Up members (regions elsewhere cannot host shards). */
  upMembers(): ReadonlySet<string>;
  send(node: string, message: Coordination): void;
  /** A rebalance began moving `shard` (for metrics). */
  rebalancing?(shard: number): void;
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
 * one handoff at a time, and empties regions whose node leaves. Its state changes only by `updated`.
 */
export class ShardCoordinator {
  private current: CoordinatorState = emptyCoordinatorState;
  private readonly startedAt: number;

  constructor(
    private readonly host: CoordinatorHost,
    private readonly options: CoordinatorOptions,
  ) {
    this.startedAt = host.now();
  }

  get state(): CoordinatorState {
    return this.current;
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

  /** The node of a region is gone (removed): its shards become unallocated. */
  memberGone(node: string): void {
    this.updated({ type: "regionGone", node });
  }

  /** Periodic: start the next handoffs of a rebalance. */
  rebalance(): void {
    const { moving, allocations } = this.current;
    if (!this.ready() || moving.size >= this.options.maxSimultaneousRebalance) return;
    const plan = rebalancePlan(allocations, this.hostingRegions(), moving, this.options.maxSimultaneousRebalance - moving.size);
    for (const { shard, from, to } of plan) {
      this.host.log.info(`rebalancing shard ${shard} from ${from} to ${to}`);
      this.host.rebalancing?.(shard);
      this.updated({ type: "handOffStarted", shard, target: to });
      this.host.send(from, { $type: TYPE.handOff, shardId: shard });
    }
  }

  private updated(event: CoordinatorEvent): void {
    this.current = apply(this.current, event);
  }

  private register(message: pb.RegisterRegion): void {
    const node = { address: message.node, uid: message.nodeUid };
    this.updated({ type: "regionRegistered", region: { node, hosting: message.hosting } });
    this.updated({ type: "epochSeen", epoch: message.knownEpoch });
    for (const owned of message.owned) {
      const current = this.current.allocations.get(owned.shardId);
      if (current === undefined || current.primary.epoch < owned.epoch)
        this.updated({ type: "shardAllocated", shard: owned.shardId, allocation: allocationAt(node, owned.epoch) });
      else this.updated({ type: "epochSeen", epoch: owned.epoch });
    }
    this.host.send(message.node, { $type: TYPE.homes, homes: [...this.current.allocations].map(([shard, allocation]) => wireHome(shard, allocation)) });
  }

  private getHome(shard: number, asking: string): void {
    const known = this.current.allocations.get(shard);
    if (known !== undefined) {
      this.host.send(asking, { $type: TYPE.homes, homes: [wireHome(shard, known)] });
      return;
    }
    if (this.current.moving.has(shard) || !this.ready()) return; // the region asks again
    const node = leastLoaded(this.current.allocations, this.hostingRegions());
    if (node !== undefined) this.broadcast(shard, this.allocate(shard, node));
  }

  private shardStopped(shard: number, node: string): void {
    if (!this.current.moving.has(shard)) {
      // A repeated report, or one sent to the coordinator before this one (a leader change during the
      // handoff): the region waits for a home for the shard's messages.
      const known = this.current.allocations.get(shard);
      if (known !== undefined && ownerOf(known) !== node) {
        this.host.send(node, { $type: TYPE.homes, homes: [wireHome(shard, known)] });
        return;
      }
      if (!this.ready()) return; // the region reports again
      this.updated({ type: "handOffStarted", shard, target: undefined });
    }
    let target = this.current.moving.get(shard);
    const candidates = this.hostingRegions();
    if (target === undefined || !candidates.includes(target))
      target = leastLoaded(new Map([...this.current.allocations].filter(([s]) => s !== shard)), candidates);
    if (target === undefined) {
      // nowhere to go (every other region leaves too): unallocated, announced as an empty node
      this.updated({ type: "shardDeallocated", shard });
      const epoch = this.current.epoch + 1n;
      this.updated({ type: "epochSeen", epoch });
      for (const region of this.current.regions.keys()) this.host.send(region, { $type: TYPE.homes, homes: [wireHome(shard, undefined, epoch)] });
      return;
    }
    this.broadcast(shard, this.allocate(shard, target));
  }

  private gracefulShutdown(node: string): void {
    this.updated({ type: "regionLeaving", node });
    const remaining = new Map(this.current.allocations);
    for (const [shard, allocation] of this.current.allocations) {
      if (ownerOf(allocation) !== node || this.current.moving.has(shard)) continue;
      const target = leastLoaded(remaining, this.hostingRegions());
      this.updated({ type: "handOffStarted", shard, target });
      if (target !== undefined) remaining.set(shard, allocationAt({ address: target, uid: 0n }, 0n));
      this.host.send(node, { $type: TYPE.handOff, shardId: shard });
    }
    if (![...this.current.allocations.values()].some((a) => ownerOf(a) === node)) this.host.send(node, { $type: TYPE.homes, homes: [] });
  }

  private allocate(shard: number, address: string): ShardAllocation {
    const region = this.current.regions.get(address)!;
    const allocation = allocationAt(region.node, this.current.epoch + 1n);
    this.updated({ type: "shardAllocated", shard, allocation });
    return allocation;
  }

  private broadcast(shard: number, allocation: ShardAllocation): void {
    const message: Coordination = { $type: TYPE.homes, homes: [wireHome(shard, allocation)] };
    for (const region of this.current.regions.keys()) this.host.send(region, message);
  }

  private hostingRegions(): string[] {
    const up = this.host.upMembers();
    const { regions, leaving } = this.current;
    return [...regions.values()].filter((r) => r.hosting && up.has(r.node.address) && !leaving.has(r.node.address)).map((r) => r.node.address);
  }

  private ready(): boolean {
    if (this.host.now() - this.startedAt >= this.options.rebuildWindow) return true;
    const up = this.host.upMembers();
    return [...up].every((node) => this.current.regions.has(node));
  }
}
