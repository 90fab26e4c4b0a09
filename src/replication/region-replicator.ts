import { replicationAcks } from "./ack-latency.js";
import type { EventsPushed, HeadsAnnounced, ReplicationFrame } from "../../gen/casty/v1/replication.js";
import type { ActorRef } from "../actor/ref.js";
import type { Scheduler, TimerHandle } from "../actor/scheduler.js";
import type { UniqueAddress } from "../cluster/member.js";
import { eventSourcedOptionsOf } from "../persistence/event-sourced.js";
import type { EventJournal } from "../persistence/journal.js";
import { ShardFencedError, type PersistHook, type WrittenEvents } from "../persistence/persist-hook.js";
import type { RowCodec } from "../persistence/row-codec.js";
import { sameNode, type ShardAllocation } from "../sharding/allocation.js";
import type { RegionReplication, ReplicatedRegion, ShardReplicationStats } from "../sharding/replication-hook.js";
import { shardOf } from "../sharding/shard-id.js";
import { EntityTrack } from "./entity-track.js";
import { ReplicationTimeoutError } from "./errors.js";

/** What a region's replicator needs from the node's replication extension. */
export interface ReplicatorHost {
  readonly scheduler: Scheduler;
  readonly codec: RowCodec;
  /** Sends on this node's stream to `peer`. */
  send(peer: string, frame: ReplicationFrame): void;
  /** Whether `node` is an Up member (worth asking). */
  isUp(node: string): boolean;
}

type Reply = (frame: ReplicationFrame) => void;

/** The sharded entity id of an entity actor (the region names it by the encoded id). */
function shardedIdOf(entity: ActorRef<never>): string {
  return decodeURIComponent(entity.path.slice(entity.path.lastIndexOf("/") + 1));
}

/** How often a primary tells lagging replicas what they miss, in ms. */
const ANNOUNCE_INTERVAL = 2000;

/** Events per pushed frame when catching a replica up. */
const CATCH_UP_CHUNK = 256;

/**
 * The replication of one region on this node. As the primary of a shard it pushes every persist to the
 * shard's replicas and holds `then` until `minAcks` of them acknowledged; as a replica it appends what
 * a primary pushes to the journal of its own `factory(entityId)`, in sequence order, asking for what a
 * gap shows it missed. A node that became a shard's primary fills each entity's journal from the
 * shard's other holders before the entity recovers.
 */
export class RegionReplicator implements RegionReplication, PersistHook {
  private readonly tracks = new Map<string, EntityTrack>();
  private readonly byShard = new Map<number, Set<EntityTrack>>();
  /** Shards this node is the primary of, with their allocation. */
  private readonly primaryOf = new Map<number, ShardAllocation>();
  /** Shards refused by a replica that knows a newer primary (at that epoch). */
  private readonly fenced = new Map<number, bigint>();
  /** Shards this node became primary of: where to pull from, and the entities already filled. */
  private readonly syncs = new Map<number, { readonly sources: readonly string[]; readonly done: Set<string> }>();
  /** Replica: events stored per shard (the coordinator promotes the furthest replica). */
  private readonly progressOf = new Map<number, bigint>();
  private readonly progressed = new Set<number>();
  private readonly pulls = new Map<bigint, (rows: readonly Uint8Array[]) => void>();
  private nextPull = 1n;
  private detached = false;
  private readonly announcing: TimerHandle;

  constructor(
    private readonly region: ReplicatedRegion,
    private readonly host: ReplicatorHost,
  ) {
    this.announcing = host.scheduler.setInterval(() => this.announceLagging(), ANNOUNCE_INTERVAL);
  }

  // ---- RegionReplication ----

  allocationChanged(shard: number, allocation: ShardAllocation | undefined, previous: ShardAllocation | undefined): void {
    const self = this.region.selfNode;
    if (allocation === undefined) return; // handing off, or its node was lost: the next allocation decides
    if (!sameNode(allocation.primary.node, self)) {
      this.primaryOf.delete(shard);
      this.syncs.delete(shard);
      return;
    }
    const fencedAt = this.fenced.get(shard);
    if (fencedAt !== undefined && allocation.primary.epoch > fencedAt) this.fenced.delete(shard);
    const wasPrimary = this.primaryOf.has(shard);
    this.primaryOf.set(shard, allocation);
    if (!wasPrimary) {
      const holders = [previous?.primary.node, ...(previous?.replicas ?? []), ...allocation.replicas];
      const sources = [...new Set(holders.filter((n): n is UniqueAddress => n !== undefined && n.address !== self.address).map((n) => n.address))];
      this.syncs.set(shard, { sources, done: new Set() });
    }
    const before = new Set(wasPrimary ? (previous?.replicas.map((r) => r.address) ?? []) : []);
    for (const r of allocation.replicas) if (!before.has(r.address)) this.announceHeads(shard, r.address);
    for (const track of this.byShard.get(shard) ?? []) this.settle(track);
  }

  progress(all: boolean): { shardId: number; progress: bigint }[] {
    const shards = all ? [...this.progressOf.keys()] : [...this.progressed];
    this.progressed.clear();
    return shards.map((shardId) => ({ shardId, progress: this.progressOf.get(shardId)! }));
  }

  stats(): ReadonlyMap<number, ShardReplicationStats> {
    const stats = new Map<number, ShardReplicationStats>();
    for (let shard = 0; shard < this.region.numShards; shard++) {
      const allocation = this.region.allocation(shard);
      if (allocation === undefined) continue;
      let lag = 0;
      if (this.primaryOf.has(shard)) for (const track of this.byShard.get(shard) ?? []) lag += track.lag(allocation.replicas);
      stats.set(shard, { primary: allocation.primary.node.address, replicas: allocation.replicas.map((r) => r.address), lag });
    }
    return stats;
  }

  detach(): void {
    this.detached = true;
    this.host.scheduler.clearInterval(this.announcing);
    for (const track of this.tracks.values())
      for (const wait of track.waits.splice(0)) this.fail(wait, new ReplicationTimeoutError("the shard region stopped"));
    for (const resolve of this.pulls.values()) resolve([]);
    this.pulls.clear();
  }

  /** A stream to `peer` opened: it may have missed pushes while there was none. */
  linkOpened(peer: string): void {
    for (const [shard, allocation] of this.primaryOf) if (allocation.replicas.some((r) => r.address === peer)) this.announceHeads(shard, peer);
  }

  // ---- PersistHook ----

  recovering(entity: ActorRef<never>): Promise<void> {
    const entityId = shardedIdOf(entity);
    const track = this.track(entityId);
    const sync = this.syncs.get(track.shard);
    if (sync === undefined || sync.done.has(entityId)) return track.chain;
    sync.done.add(entityId);
    const sources = sync.sources.filter((s) => this.host.isUp(s));
    return sources.length === 0 ? track.chain : this.enqueue(track, () => this.fill(track, sources));
  }

  written(written: WrittenEvents): Promise<void> | undefined {
    const { fromSeqNr, events, tags, writerUid, timestamp } = written;
    const track = this.track(shardedIdOf(written.entity));
    const entityId = track.entityId;
    const shard = track.shard;
    if (this.fenced.has(shard)) return Promise.reject(new ShardFencedError(`shard ${shard} has a newer primary`));
    const toSeqNr = fromSeqNr + events.length;
    track.held = toSeqNr;
    const allocation = this.primaryOf.get(shard);
    if (allocation === undefined || allocation.replicas.length === 0) return this.awaitAcks(track, toSeqNr);
    const codec = this.host.codec;
    const rows = events.map((event, i) => codec.encodeEvent(written.entityId, fromSeqNr + i + 1, event, timestamp, writerUid, tags?.[i]) as Buffer);
    const pushed: ReplicationFrame = {
      frame: {
        $case: "pushed",
        value: { region: this.region.path, shardId: shard, epoch: allocation.primary.epoch, entityId, fromSeqNr: BigInt(fromSeqNr), events: rows },
      },
    };
    for (const r of allocation.replicas) this.host.send(r.address, pushed);
    return this.awaitAcks(track, toSeqNr);
  }

  // ---- frames ----

  /** A frame from `from`; the answers go on this node's stream to it. */
  received(from: UniqueAddress, received: ReplicationFrame): void {
    const frame = received.frame;
    if (frame === undefined || this.detached) return;
    const reply: Reply = (answer) => this.host.send(from.address, answer);
    const peer = from.address;
    switch (frame.$case) {
      case "pushed": {
        const { shardId, epoch, entityId } = frame.value;
        if (this.refuses(from, shardId, epoch, reply)) return;
        const track = this.track(entityId);
        void this.enqueue(track, () => this.store(track, frame.value, reply));
        return;
      }
      case "heads":
        if (!this.refuses(from, frame.value.shardId, frame.value.epoch, reply)) this.compareHeads(frame.value, reply);
        return;
      case "pull": {
        const { entityId, fromSeqNr, requestId } = frame.value;
        const track = this.track(entityId);
        void this.enqueue(track, async () => {
          const rows = await this.rowsFrom(track, Number(fromSeqNr)).catch((): Buffer[] => []);
          reply({ frame: { $case: "pulled", value: { region: this.region.path, requestId, events: rows } } });
        });
        return;
      }
      case "acked": {
        const track = this.tracks.get(frame.value.entityId);
        if (track === undefined) return;
        const seqNr = Number(frame.value.seqNr);
        if (seqNr > (track.acked.get(peer) ?? 0)) track.acked.set(peer, seqNr);
        this.settle(track);
        return;
      }
      case "catchUp":
        this.catchUp(peer, frame.value.shardId, frame.value.entityId, Number(frame.value.fromSeqNr)).catch((error: unknown) =>
          this.region.log.warn(`catching ${peer} up on entity ${JSON.stringify(frame.value.entityId)} failed: ${String(error)}`),
        );
        return;
      case "refused":
        this.fence(frame.value.shardId, frame.value.epoch, peer);
        return;
      case "pulled":
        this.pulls.get(frame.value.requestId)?.(frame.value.events);
        this.pulls.delete(frame.value.requestId);
        return;
    }
  }

  // ---- primary side ----

  private awaitAcks(track: EntityTrack, seqNr: number): Promise<void> | undefined {
    const { minAcks, ackTimeout } = this.region.options;
    if (minAcks === 0) return undefined;
    return new Promise<void>((resolve, reject) => {
      const timer = this.host.scheduler.setTimeout(() => {
        const i = track.waits.indexOf(wait);
        if (i >= 0) track.waits.splice(i, 1);
        reject(new ReplicationTimeoutError(`fewer than ${minAcks} replicas acknowledged event ${seqNr} within ${ackTimeout} ms`));
      }, ackTimeout);
      const wait = { seqNr, resolve, reject, timer, since: replicationAcks.heard ? this.host.scheduler.now() : undefined };
      track.waits.push(wait);
    });
  }

  /** Resolves the waits of `track` that have their acks now. */
  private settle(track: EntityTrack): void {
    const allocation = this.primaryOf.get(track.shard);
    if (allocation === undefined) return;
    const { minAcks } = this.region.options;
    while (track.waits.length > 0 && track.ackCount(allocation.replicas, track.waits[0].seqNr) >= minAcks) {
      const wait = track.waits.shift()!;
      this.host.scheduler.clearTimeout(wait.timer);
      if (wait.since !== undefined) replicationAcks.report((this.host.scheduler.now() - wait.since) / 1000);
      wait.resolve();
    }
  }

  private fail(wait: { readonly timer: unknown; readonly reject: (e: Error) => void }, error: Error): void {
    this.host.scheduler.clearTimeout(wait.timer);
    wait.reject(error);
  }

  /** A replica knows a newer primary: this node's writes to the shard are refused from now on. */
  private fence(shard: number, epoch: bigint, peer: string): void {
    if (!this.primaryOf.has(shard) || (this.fenced.get(shard) ?? -1n) >= epoch) return;
    this.region.log.warn(`shard ${shard}: ${peer} knows a newer primary (epoch ${epoch}): this node writes to it no more`);
    this.fenced.set(shard, epoch);
    this.primaryOf.delete(shard);
    const error = new ShardFencedError(`shard ${shard} has a newer primary (epoch ${epoch})`);
    for (const track of this.byShard.get(shard) ?? []) for (const wait of track.waits.splice(0)) this.fail(wait, error);
  }

  /** Tells `peer` (a replica of `shard`) how far each entity this node knows of the shard got. */
  private announceHeads(shard: number, peer: string): void {
    const allocation = this.primaryOf.get(shard);
    const tracks = this.byShard.get(shard);
    if (allocation === undefined || tracks === undefined) return;
    const heads = [...tracks].filter((t) => t.held > 0).map((t) => ({ entityId: t.entityId, seqNr: BigInt(t.held) }));
    if (heads.length === 0) return;
    this.host.send(peer, { frame: { $case: "heads", value: { region: this.region.path, shardId: shard, epoch: allocation.primary.epoch, heads } } });
  }

  /** Periodic: heads of the entities a replica has not acknowledged up to, so it catches up without waiting for the next push. */
  private announceLagging(): void {
    for (const [shard, allocation] of this.primaryOf) {
      const tracks = this.byShard.get(shard);
      if (tracks === undefined) continue;
      for (const { address } of allocation.replicas) {
        const heads = [];
        for (const t of tracks) if (t.held > (t.acked.get(address) ?? 0)) heads.push({ entityId: t.entityId, seqNr: BigInt(t.held) });
        if (heads.length === 0) continue;
        const value = { region: this.region.path, shardId: shard, epoch: allocation.primary.epoch, heads };
        this.host.send(address, { frame: { $case: "heads", value } });
      }
    }
  }

  /** Pushes the entity's events from `fromSeqNr` on, from this node's journal. */
  private async catchUp(peer: string, shard: number, entityId: string, fromSeqNr: number): Promise<void> {
    const allocation = this.primaryOf.get(shard);
    if (allocation === undefined) return;
    const rows = await this.rowsFrom(this.track(entityId), fromSeqNr);
    for (let i = 0; i < rows.length; i += CATCH_UP_CHUNK) {
      const value = {
        region: this.region.path,
        shardId: shard,
        epoch: allocation.primary.epoch,
        entityId,
        fromSeqNr: BigInt(fromSeqNr - 1 + i),
        events: rows.slice(i, i + CATCH_UP_CHUNK),
      };
      this.host.send(peer, { frame: { $case: "pushed", value } });
    }
  }

  // ---- replica side ----

  /** Answers a push of a primary that another one replaced (fencing); true when refused. */
  private refuses(from: UniqueAddress, shard: number, epoch: bigint, reply: Reply): boolean {
    const known = this.region.allocation(shard);
    if (known === undefined || known.primary.epoch <= epoch || sameNode(known.primary.node, from)) return false;
    reply({ frame: { $case: "refused", value: { region: this.region.path, shardId: shard, epoch: known.primary.epoch } } });
    return true;
  }

  /** Appends a push in sequence order: what this node holds is skipped, a gap asks for a catch-up. */
  private async store(track: EntityTrack, pushed: EventsPushed, reply: Reply): Promise<void> {
    const held = await this.held(track);
    const from = Number(pushed.fromSeqNr);
    if (from > held) {
      track.early.push(pushed);
      if (track.catchUpFrom !== held + 1) {
        track.catchUpFrom = held + 1;
        const value = { region: this.region.path, shardId: track.shard, entityId: track.entityId, fromSeqNr: BigInt(held + 1) };
        reply({ frame: { $case: "catchUp", value } });
      }
      return;
    }
    await this.appendPushed(track, pushed);
    for (let next = this.nextEarly(track); next !== undefined; next = this.nextEarly(track)) await this.appendPushed(track, next);
    reply({ frame: { $case: "acked", value: { region: this.region.path, shardId: track.shard, entityId: track.entityId, seqNr: BigInt(track.held) } } });
  }

  /** A kept push that starts at or before what is held now (taken out of the list). */
  private nextEarly(track: EntityTrack): EventsPushed | undefined {
    const i = track.early.findIndex((p) => Number(p.fromSeqNr) <= track.held);
    return i < 0 ? undefined : track.early.splice(i, 1)[0];
  }

  /** Appends the events of `pushed` after the ones held. */
  private async appendPushed(track: EntityTrack, pushed: EventsPushed): Promise<void> {
    const from = Number(pushed.fromSeqNr);
    const rows = pushed.events.slice(track.held - from);
    if (rows.length > 0) await this.appendRows(track, rows, track.held + 1);
  }

  private async appendRows(track: EntityTrack, rows: readonly Uint8Array[], firstSeqNr: number): Promise<void> {
    const journal = this.journalOf(track);
    const entries = rows.map((row, i) => this.host.codec.decodeEvent(track.persistenceId, firstSeqNr + i, row));
    try {
      await journal.append(
        track.persistenceId,
        entries.map((e) => e.event),
        firstSeqNr - 1,
        { writerUid: entries[0].writerUid, tags: entries.map((e) => e.tags) },
      );
    } catch (error) {
      track.held = await journal.highestSeqNr(track.persistenceId); // someone else wrote: start again from there
      throw error;
    }
    track.held = firstSeqNr - 1 + rows.length;
    this.progressOf.set(track.shard, (this.progressOf.get(track.shard) ?? 0n) + BigInt(rows.length));
    this.progressed.add(track.shard);
  }

  /** Asks for what this node misses of the announced entities, and acks what it holds. */
  private compareHeads(announced: HeadsAnnounced, reply: Reply): void {
    for (const { entityId, seqNr } of announced.heads) {
      const track = this.track(entityId);
      void this.enqueue(track, async () => {
        const held = await this.held(track);
        const value = { region: this.region.path, shardId: track.shard, entityId, seqNr: BigInt(held) };
        if (Number(seqNr) <= held) return reply({ frame: { $case: "acked", value } });
        track.catchUpFrom = held + 1;
        reply({ frame: { $case: "catchUp", value: { region: this.region.path, shardId: track.shard, entityId, fromSeqNr: BigInt(held + 1) } } });
      });
    }
  }

  // ---- a new primary fills its journal ----

  /** Before the entity recovers here: the longest history of it among `sources` joins this node's journal. */
  private async fill(track: EntityTrack, sources: readonly string[]): Promise<void> {
    const held = await this.held(track);
    const answers = await Promise.all(sources.map((source) => this.pull(source, track, held + 1)));
    const longest = answers.reduce((a, b) => (b.length > a.length ? b : a), []);
    if (longest.length > 0) await this.appendRows(track, longest, held + 1);
  }

  private pull(source: string, track: EntityTrack, fromSeqNr: number): Promise<readonly Uint8Array[]> {
    return new Promise((resolve) => {
      const requestId = this.nextPull++;
      const timer = this.host.scheduler.setTimeout(() => {
        this.pulls.delete(requestId);
        this.region.log.warn(
          `entity ${JSON.stringify(track.entityId)}: ${source} did not answer within ${this.region.options.ackTimeout} ms; recovering without it`,
        );
        resolve([]);
      }, this.region.options.ackTimeout);
      this.pulls.set(requestId, (rows) => {
        this.host.scheduler.clearTimeout(timer);
        resolve(rows);
      });
      const value = { region: this.region.path, shardId: track.shard, requestId, entityId: track.entityId, fromSeqNr: BigInt(fromSeqNr) };
      this.host.send(source, { frame: { $case: "pull", value } });
    });
  }

  // ---- journal ----

  private track(entityId: string): EntityTrack {
    let track = this.tracks.get(entityId);
    if (track === undefined) {
      track = new EntityTrack(entityId, shardOf(entityId, this.region.numShards));
      this.tracks.set(entityId, track);
      let shard = this.byShard.get(track.shard);
      if (shard === undefined) this.byShard.set(track.shard, (shard = new Set()));
      shard.add(track);
    }
    return track;
  }

  /** Runs `work` after the entity's earlier journal work; its failure is logged, never thrown. */
  private enqueue(track: EntityTrack, work: () => Promise<void>): Promise<void> {
    track.chain = track.chain
      .then(work)
      .catch((error: unknown) =>
        this.region.log.warn(`replication of entity ${JSON.stringify(track.entityId)}: ${error instanceof Error ? error.message : String(error)}`),
      );
    return track.chain;
  }

  private async held(track: EntityTrack): Promise<number> {
    if (track.held < 0) track.held = await this.journalOf(track).highestSeqNr(track.persistenceId);
    return track.held;
  }

  /** The entity's events from `fromSeqNr` on, as rows (the codec's rows are Buffers). */
  private async rowsFrom(track: EntityTrack, fromSeqNr: number): Promise<Buffer[]> {
    const rows: Buffer[] = [];
    const codec = this.host.codec;
    for await (const e of this.journalOf(track).replay(track.persistenceId, fromSeqNr))
      rows.push(codec.encodeEvent(e.entityId, e.seqNr, e.event, e.timestamp, e.writerUid, e.tags) as Buffer);
    return rows;
  }

  /** The journal the entity's behaviour on this node uses (what `factory(entityId)` builds). */
  private journalOf(track: EntityTrack): EventJournal {
    if (track.journal !== undefined) return track.journal;
    const options = eventSourcedOptionsOf(this.region.factory(track.entityId));
    if (options === undefined) throw new Error(`replication needs the factory of ${this.region.path} to return Behaviors.eventSourced(...)`);
    track.persistenceId = options.entityId;
    return (track.journal = options.journal);
  }
}
