import type { Logger } from "../actor/logger.js";
import type { UniqueAddress } from "../cluster/member.js";
import { allocationAt, leastLoaded, ownerOf, rebalancePlan, replicasToAdd, type Allocations, type ShardAllocation } from "./allocation.js";
import { apply, emptyCoordinatorState, type CoordinatorEvent, type CoordinatorState } from "./coordinator-state.js";
import { allocationOf, TYPE, wireHome, type Coordination } from "./protocol.js";
import type * as pb from "../../gen/casty/v1/sharding.js";

export interface CoordinatorHost {
  readonly log: Logger;
  now(): number;
  /** Addresses of the Up members (regions elsewhere cannot host shards). */
  upMembers(): ReadonlySet<string>;
  /** Addresses of the members some member finds unreachable. */
  unreachableMembers(): ReadonlySet<string>;
  send(node: string, message: Coordination): void;
  /** A rebalance began moving `shard` (for metrics). */
  rebalancing?(shard: number): void;
}

export interface CoordinatorOptions {
  /** Shards moving at once when loads even out. */
  readonly maxSimultaneousRebalance: number;
  /**
   * A new coordinator allocates new shards only after every Up member registered, or this long (a member
   * that hosts no region never registers); a member it cannot reach must register or be removed first.
   * Members that join later do not hold it back: they own no shard yet.
   */
  readonly rebuildWindow: number;
  /** Replicas of each shard on other nodes (0: none). */
  readonly replicas?: number;
}

/**
 * The allocation authority of one entity type; the region on the leader runs it. It learns the
 * regions (and what they own) from their registrations, allocates least-shards-first, evens out loads
 * one handoff at a time, and empties regions whose node leaves. Its state changes only by `updated`.
 */
export class ShardCoordinator {
  private current: CoordinatorState = emptyCoordinatorState;
  private readonly startedAt: number;
  private readonly replicas: number;
  private shortOfNodesLogged = false;
  /** Set once every Up member registered, or the rebuild window passed with none of them cut off. */
  private rebuilt = false;

  constructor(
    private readonly host: CoordinatorHost,
    private readonly options: CoordinatorOptions,
  ) {
    this.startedAt = host.now();
    this.replicas = options.replicas ?? 0;
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
      case TYPE.progress:
        for (const { shardId, progress } of message.shards) this.updated({ type: "replicaProgressed", shard: shardId, node: message.node, progress });
        return;
      default:
        return;
    }
  }

  /** The node of a region is gone (removed): its shards become unallocated, or a replica of each is promoted. */
  memberGone(node: string): void {
    const before = this.current.allocations;
    this.updated({ type: "regionGone", node });
    this.fillReplicas();
    this.broadcastChanges(before);
  }

  /** Periodic: add missing replicas (a node that registered before it was Up, a rebuild), then start the next handoffs of a rebalance. */
  rebalance(): void {
    if (!this.ready()) return;
    const before = this.current.allocations;
    this.fillReplicas();
    this.broadcastChanges(before);
    const { moving, allocations } = this.current;
    if (moving.size >= this.options.maxSimultaneousRebalance) return;
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
    const before = this.current.allocations;
    this.updated({ type: "regionRegistered", region: { node, hosting: message.hosting } });
    this.updated({ type: "epochSeen", epoch: message.knownEpoch });
    for (const owned of message.owned) {
      const current = this.current.allocations.get(owned.shardId);
      if (current === undefined || current.primary.epoch < owned.epoch)
        this.updated({ type: "shardAllocated", shard: owned.shardId, allocation: allocationAt(node, owned.epoch, allocationOf(owned)?.replicas) });
      else this.updated({ type: "epochSeen", epoch: owned.epoch });
    }
    if (this.ready()) this.fillReplicas();
    this.host.send(message.node, { $type: TYPE.homes, homes: [...this.current.allocations].map(([shard, allocation]) => wireHome(shard, allocation)) });
    if (this.replicas > 0) this.broadcastChanges(before, message.node);
  }

  private getHome(shard: number, asking: string): void {
    const known = this.current.allocations.get(shard);
    if (known !== undefined) {
      this.host.send(asking, { $type: TYPE.homes, homes: [wireHome(shard, known)] });
      return;
    }
    if (this.current.moving.has(shard) || !this.ready()) return; // the region asks again
    // a coordinator that took over from one that went down with the shard's primary knows the shard only
    // from its replicas' progress: a fresh home elsewhere (e.g. the primary's node restarted empty) would
    // lose what they hold
    const node = this.furthest(shard, this.hostingRegions(), 1n) ?? leastLoaded(this.current.allocations, this.hostingRegions());
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
      const staying = new Set(this.hostingRegions());
      const replicas = allocation.replicas.map((r) => r.address).filter((address) => staying.has(address));
      const target = this.furthest(shard, replicas, 0n) ?? leastLoaded(remaining, this.hostingRegions());
      this.updated({ type: "handOffStarted", shard, target });
      if (target !== undefined) remaining.set(shard, allocationAt({ address: target, uid: 0n }, 0n));
      this.host.send(node, { $type: TYPE.handOff, shardId: shard });
    }
    if (![...this.current.allocations.values()].some((a) => ownerOf(a) === node)) this.host.send(node, { $type: TYPE.homes, homes: [] });
  }

  /**
   * Allocates the shard to the region at `address`. With replication it keeps the replicas it had
   * (the old primary becomes one when it stays), or for a shard it never knew the regions whose
   * replicas of it progressed (the new primary fills from its replicas), then adds replicas up to the
   * wanted number.
   */
  private allocate(shard: number, address: string): ShardAllocation {
    const region = this.current.regions.get(address)!;
    const previous = this.current.allocations.get(shard);
    let replicas: UniqueAddress[] = [];
    if (this.replicas > 0) {
      const staying = new Set(this.hostingRegions());
      const holders = previous !== undefined ? [previous.primary.node, ...previous.replicas] : this.progressedReplicas(shard);
      replicas = holders.filter((r) => r.address !== address && staying.has(r.address)).slice(0, this.replicas);
    }
    const kept = allocationAt(region.node, this.current.epoch + 1n, replicas);
    const allocation = this.replicas === 0 ? kept : { ...kept, replicas: [...replicas, ...this.replicasFor(kept)] };
    this.updated({ type: "shardAllocated", shard, allocation });
    return allocation;
  }

  /** Replicas to add to `allocation` among the hosting regions; logs once when there are too few nodes. */
  private replicasFor(allocation: ShardAllocation): UniqueAddress[] {
    if (this.replicas === 0) return [];
    const candidates = this.hostingRegions().map((address) => this.current.regions.get(address)!.node);
    const added = replicasToAdd(this.current.allocations, allocation, candidates, this.replicas);
    if (allocation.replicas.length + added.length < this.replicas && !this.shortOfNodesLogged) {
      this.shortOfNodesLogged = true;
      this.host.log.info(`${candidates.length} nodes host shards, fewer than 1 + ${this.replicas} replicas: shards get the replicas there are room for`);
    }
    return added;
  }

  /** Every allocated shard with fewer replicas than wanted gets more, as regions join. */
  private fillReplicas(): void {
    if (this.replicas === 0) return;
    for (const [shard, allocation] of [...this.current.allocations].sort((a, b) => a[0] - b[0])) {
      if (allocation.replicas.length >= this.replicas || this.current.moving.has(shard)) continue;
      const added = this.replicasFor(allocation);
      if (added.length === 0) continue;
      const epoch = this.current.epoch + 1n;
      this.updated({ type: "shardAllocated", shard, allocation: allocationAt(allocation.primary.node, epoch, [...allocation.replicas, ...added]) });
    }
  }

  /** The registered regions whose replica of `shard` progressed, furthest first. */
  private progressedReplicas(shard: number): UniqueAddress[] {
    const progress = [...(this.current.progress.get(shard) ?? [])]
      .filter(([, reached]) => reached > 0n)
      .sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0));
    return progress.flatMap(([address]) => {
      const region = this.current.regions.get(address);
      return region === undefined ? [] : [region.node];
    });
  }

  /** Of `candidates`, the region whose replica of `shard` got furthest (the first on ties), with at least `minimum`. */
  private furthest(shard: number, candidates: readonly string[], minimum: bigint): string | undefined {
    const progress = this.current.progress.get(shard);
    let best: string | undefined;
    let bestProgress = -1n;
    for (const address of candidates) {
      const reached = progress?.get(address) ?? 0n;
      if (reached >= minimum && reached > bestProgress) [best, bestProgress] = [address, reached];
    }
    return best;
  }

  private broadcast(shard: number, allocation: ShardAllocation): void {
    const message: Coordination = { $type: TYPE.homes, homes: [wireHome(shard, allocation)] };
    for (const region of this.current.regions.keys()) this.host.send(region, message);
  }

  /** Announces every allocation that changed since `before` (except to `told`, who got all of them). */
  private broadcastChanges(before: Allocations, told?: string): void {
    const homes = [...this.current.allocations].filter(([shard, a]) => before.get(shard) !== a).map(([shard, a]) => wireHome(shard, a));
    if (homes.length === 0) return;
    for (const region of this.current.regions.keys()) if (region !== told) this.host.send(region, { $type: TYPE.homes, homes });
  }

  private hostingRegions(): string[] {
    const up = this.host.upMembers();
    const { regions, leaving } = this.current;
    return [...regions.values()].filter((r) => r.hosting && up.has(r.node.address) && !leaving.has(r.node.address)).map((r) => r.node.address);
  }

  /** Whether this coordinator knows enough of the regions to allocate; once it does, it stays so. */
  private ready(): boolean {
    if (this.rebuilt) return true;
    const up = this.host.upMembers();
    // a member cut off from us may still run shards we do not know of: allocating them here would make
    // a second writer, so wait until it registers or the downing decision removes it
    for (const node of this.host.unreachableMembers()) if (up.has(node) && !this.current.regions.has(node)) return false;
    this.rebuilt = this.host.now() - this.startedAt >= this.options.rebuildWindow || [...up].every((node) => this.current.regions.has(node));
    return this.rebuilt;
  }
}
