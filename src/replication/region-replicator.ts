import { replicationAcks } from "./ack-latency.js";
import type { EventsPulled, EventsPushed, HeadsAnnounced, ReplicationFrame, SnapshotPushed } from "../../gen/casty/v1/replication.js";
import type { ActorRef } from "../actor/ref.js";
import type { Scheduler, TimerHandle } from "../actor/scheduler.js";
import type { UniqueAddress } from "../cluster/member.js";
import { eventSourcedOptionsOf } from "../persistence/event-sourced.js";
import { JournalCorruptError } from "../persistence/errors.js";
import type { EventJournal, JournalEntry, SnapshotEntry } from "../persistence/journal.js";
import { ShardFencedError, type PersistHook, type WrittenEvents } from "../persistence/persist-hook.js";
import type { RowCodec } from "../persistence/row-codec.js";
import { sameNode, type ShardAllocation } from "../sharding/allocation.js";
import type { RegionReplication, ReplicatedRegion, ShardReplicationStats } from "../sharding/replication-hook.js";
import { shardOf } from "../sharding/shard-id.js";
import { Deadlines } from "../actor/deadlines.js";
import { EntityTrack, type AckWait } from "./entity-track.js";
import { ReplicationTimeoutError } from "./errors.js";
import { appendEntries, historyFrom, install, type History } from "./history.js";

/** What a region's replicator needs from the node's replication extension. */
export interface ReplicatorHost {
  readonly scheduler: Scheduler;
  readonly codec: RowCodec;
  /** Sends on this node's stream to `peer`. */
  send(peer: string, frame: ReplicationFrame): void;
  /** Whether `node` is still a member (not downed or removed): what it holds may be asked for. */
  isMember(node: string): boolean;
}

type Reply = (frame: ReplicationFrame) => void;

/** What a pull brings back: a holder's events, from a snapshot when it has one. */
type Pulled = Pick<EventsPulled, "snapshot" | "events">;

const nothingPulled: Pulled = { events: [] };

/** The sharded entity id of an entity actor (the region names it by the encoded id). */
function shardedIdOf(entity: ActorRef<never>): string {
  return decodeURIComponent(entity.path.slice(entity.path.lastIndexOf("/") + 1));
}

/** How often a primary tells lagging replicas what they miss, in ms. */
const ANNOUNCE_INTERVAL = 2000;

/** Events per pushed frame when catching a replica up. */
const CATCH_UP_CHUNK = 256;

/** How often a new primary asks again a former holder that has not answered its pull, in ms. */
const PULL_RETRY = 1000;

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
  /**
   * The last allocation heard of each shard (the region's own table forgets one whose primary's node was
   * removed or that it hands off): a primary that takes over later still fills from its holders.
   */
  private readonly lastHeard = new Map<number, ShardAllocation>();
  /** Replica: events stored per shard (the coordinator promotes the furthest replica). */
  private readonly progressOf = new Map<number, bigint>();
  private readonly progressed = new Set<number>();
  private readonly pulls = new Map<bigint, (pulled: Pulled) => void>();
  private nextPull = 1n;
  private detached = false;
  private readonly announcing: TimerHandle;
  /** The ack timeouts of the persists waiting: one timer, not one per persist (see Deadlines). */
  private readonly ackDeadlines: Deadlines<AckWait>;

  constructor(
    private readonly region: ReplicatedRegion,
    private readonly host: ReplicatorHost,
  ) {
    this.announcing = host.scheduler.setInterval(() => this.announceLagging(), ANNOUNCE_INTERVAL);
    this.ackDeadlines = new Deadlines(host.scheduler, (wait) => this.timedOut(wait));
  }

  // ---- RegionReplication ----

  allocationChanged(shard: number, allocation: ShardAllocation | undefined): void {
    const self = this.region.selfNode;
    if (allocation === undefined) return; // handing off, or its node was lost: the next allocation decides
    const previous = this.lastHeard.get(shard);
    this.lastHeard.set(shard, allocation);
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
    this.ackDeadlines.clear(); // releases the timer
    for (const answered of [...this.pulls.values()]) answered(nothingPulled);
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
    const sources = sync.sources.filter((s) => this.host.isMember(s));
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
      case "pushed":
      case "snapshot": {
        const { shardId, epoch, entityId } = frame.value;
        if (this.refuses(from, shardId, epoch, reply)) return;
        const track = this.track(entityId);
        void this.enqueue(track, () => (frame.$case === "pushed" ? this.store(track, frame.value, reply) : this.storeSnapshot(track, frame.value, reply)));
        return;
      }
      case "heads":
        if (!this.refuses(from, frame.value.shardId, frame.value.epoch, reply)) this.compareHeads(frame.value, reply);
        return;
      case "pull": {
        const { entityId, fromSeqNr, requestId } = frame.value;
        const track = this.track(entityId);
        void this.enqueue(track, async () => {
          const { snapshot, events } = await this.historyOf(track, Number(fromSeqNr)).catch((error: unknown): Pulled => {
            this.region.log.warn(`entity ${JSON.stringify(entityId)}: ${peer} pulled its history, which this node cannot give: ${String(error)}`);
            return nothingPulled;
          });
          reply({ frame: { $case: "pulled", value: { region: this.region.path, requestId, events, snapshot } } });
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
        this.pulls.get(frame.value.requestId)?.(frame.value);
        return;
    }
  }

  // ---- primary side ----

  private awaitAcks(track: EntityTrack, seqNr: number): Promise<void> | undefined {
    const { minAcks, ackTimeout } = this.region.options;
    if (minAcks === 0) return undefined;
    return new Promise<void>((resolve, reject) => {
      const now = this.host.scheduler.now();
      const wait: AckWait = { track, seqNr, resolve, reject, deadline: now + ackTimeout, settled: false, since: replicationAcks.heard ? now : undefined };
      track.waits.push(wait);
      this.ackDeadlines.add(ackTimeout, wait);
    });
  }

  private timedOut(wait: AckWait): void {
    wait.settled = true;
    const waits = wait.track.waits;
    const i = waits.indexOf(wait);
    if (i >= 0) waits.splice(i, 1);
    wait.reject(
      new ReplicationTimeoutError(
        `fewer than ${this.region.options.minAcks} replicas acknowledged event ${wait.seqNr} within ${this.region.options.ackTimeout} ms`,
      ),
    );
  }

  /** Resolves the waits of `track` that have their acks now. */
  private settle(track: EntityTrack): void {
    const allocation = this.primaryOf.get(track.shard);
    if (allocation === undefined) return;
    const { minAcks } = this.region.options;
    while (track.waits.length > 0 && track.ackCount(allocation.replicas, track.waits[0].seqNr) >= minAcks) {
      const wait = track.waits.shift()!;
      this.done(wait);
      if (wait.since !== undefined) replicationAcks.report((this.host.scheduler.now() - wait.since) / 1000);
      wait.resolve();
    }
  }

  private fail(wait: AckWait, error: Error): void {
    this.done(wait);
    wait.reject(error);
  }

  /** `wait` no longer waits: its deadline goes. */
  private done(wait: AckWait): void {
    wait.settled = true;
    this.ackDeadlines.settled(this.region.options.ackTimeout, wait);
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

  /**
   * Pushes the entity's events from `fromSeqNr` on, from this node's journal; from its latest snapshot
   * when the journal no longer has them.
   */
  private async catchUp(peer: string, shard: number, entityId: string, fromSeqNr: number): Promise<void> {
    const allocation = this.primaryOf.get(shard);
    if (allocation === undefined) return;
    const { snapshot, after, events } = await this.historyOf(this.track(entityId), fromSeqNr);
    const about = { region: this.region.path, shardId: shard, epoch: allocation.primary.epoch, entityId };
    if (snapshot !== undefined) this.host.send(peer, { frame: { $case: "snapshot", value: { ...about, snapshot, events: events.slice(0, CATCH_UP_CHUNK) } } });
    for (let i = snapshot === undefined ? 0 : CATCH_UP_CHUNK; i < events.length; i += CATCH_UP_CHUNK) {
      const value = { ...about, fromSeqNr: BigInt(after + i), events: events.slice(i, i + CATCH_UP_CHUNK) };
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
    if (Number(pushed.fromSeqNr) > held) {
      track.early.push(pushed);
      return this.askCatchUp(track, reply);
    }
    try {
      await this.continueWith(track, Number(pushed.fromSeqNr), pushed.events, undefined);
    } catch (error) {
      this.refuse(track, error);
      return this.askCatchUp(track, reply);
    }
    await this.appendEarly(track);
    this.ack(track, reply);
  }

  /** Stores a catch-up from a snapshot: the snapshot (unless this node holds its events), then the events after it. */
  private async storeSnapshot(track: EntityTrack, pushed: SnapshotPushed, reply: Reply): Promise<void> {
    await this.held(track);
    try {
      const snapshot = this.host.codec.decodeSnapshot(track.persistenceId, pushed.snapshot);
      await this.continueWith(track, snapshot.seqNr, pushed.events, snapshot);
    } catch (error) {
      this.refuse(track, error);
      return this.askCatchUp(track, reply);
    }
    await this.appendEarly(track);
    this.ack(track, reply);
  }

  private ack(track: EntityTrack, reply: Reply): void {
    reply({ frame: { $case: "acked", value: { region: this.region.path, shardId: track.shard, entityId: track.entityId, seqNr: BigInt(track.held) } } });
  }

  /** Asks the primary for the events after the ones held, once per gap (the primary's heads announcements ask again). */
  private askCatchUp(track: EntityTrack, reply: Reply): void {
    const fromSeqNr = track.held + 1;
    if (track.catchUpFrom === fromSeqNr) return;
    track.catchUpFrom = fromSeqNr;
    reply({ frame: { $case: "catchUp", value: { region: this.region.path, shardId: track.shard, entityId: track.entityId, fromSeqNr: BigInt(fromSeqNr) } } });
  }

  /** Appends the kept pushes that continue what is held now; one refused is dropped. */
  private async appendEarly(track: EntityTrack): Promise<void> {
    for (let next = this.nextEarly(track); next !== undefined; next = this.nextEarly(track)) {
      try {
        await this.continueWith(track, Number(next.fromSeqNr), next.events, undefined);
      } catch (error) {
        this.refuse(track, error);
      }
    }
  }

  /** A kept push that starts at or before what is held now (taken out of the list). */
  private nextEarly(track: EntityTrack): EventsPushed | undefined {
    const i = track.early.findIndex((p) => Number(p.fromSeqNr) <= track.held);
    return i < 0 ? undefined : track.early.splice(i, 1)[0];
  }

  /** Replicated events that are not what they claim to be are refused (logged, nothing stored); other errors go on. */
  private refuse(track: EntityTrack, error: unknown): void {
    if (!(error instanceof JournalCorruptError)) throw error;
    this.region.log.warn(`entity ${JSON.stringify(track.entityId)}: replicated events refused: ${error.message}`);
  }

  /**
   * Stores `events` (those after event `after`) beyond what the entity holds here; from `snapshot` (at
   * `after`) when it holds less than that, which replaces what it holds. What it holds already is
   * skipped. Every row must be the event its place says (entity and sequence number) and continue what
   * is held, or nothing is stored: `JournalCorruptError`.
   */
  private async continueWith(track: EntityTrack, after: number, events: readonly Uint8Array[], snapshot: SnapshotEntry | undefined): Promise<void> {
    const held = track.held;
    const installs = snapshot !== undefined && snapshot.seqNr > held;
    if (!installs && after > held) throw new JournalCorruptError(`events after ${after} do not continue the ${held} held here`);
    const start = installs ? after : held;
    const entries: JournalEntry[] = [];
    for (let i = start - after; i < events.length; i++) entries.push(this.host.codec.decodeEvent(track.persistenceId, after + i + 1, events[i]));
    const journal = this.journalOf(track);
    const id = track.persistenceId;
    try {
      if (installs) await install(journal, id, snapshot, entries);
      else if (entries.length > 0) await appendEntries(journal, id, start, entries);
      else return;
    } catch (error) {
      track.held = await journal.highestSeqNr(id); // someone else wrote: start again from there
      throw error;
    }
    this.progressOf.set(track.shard, (this.progressOf.get(track.shard) ?? 0n) + BigInt(start + entries.length - held));
    this.progressed.add(track.shard);
    track.held = start + entries.length;
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

  /**
   * Before the entity recovers here: the longest history of it among `sources` joins this node's
   * journal (the next longest when one is refused).
   */
  private async fill(track: EntityTrack, sources: readonly string[]): Promise<void> {
    const held = await this.held(track);
    const answers = await Promise.all(sources.map((source) => this.pull(source, track, held + 1)));
    const histories: { snapshot: SnapshotEntry | undefined; after: number; events: readonly Uint8Array[] }[] = [];
    for (const { snapshot, events } of answers) {
      try {
        const from = snapshot === undefined ? undefined : this.host.codec.decodeSnapshot(track.persistenceId, snapshot);
        histories.push({ snapshot: from, after: from?.seqNr ?? held, events });
      } catch (error) {
        this.refuse(track, error);
      }
    }
    histories.sort((a, b) => b.after + b.events.length - (a.after + a.events.length));
    for (const { snapshot, after, events } of histories) {
      if (after + events.length <= held) return;
      try {
        return await this.continueWith(track, after, events, snapshot);
      } catch (error) {
        this.refuse(track, error);
      }
    }
  }

  /**
   * A holder's history of the entity from `fromSeqNr` on. The pull is sent again until the holder
   * answers (a frame can be lost with the stream it went on) or is no longer a member: it may hold
   * acknowledged events no other holder has, so recovering without them would lose them.
   */
  private pull(source: string, track: EntityTrack, fromSeqNr: number): Promise<Pulled> {
    return new Promise((resolve) => {
      const scheduler = this.host.scheduler;
      const log = this.region.log;
      const requestId = this.nextPull++;
      const value = { region: this.region.path, shardId: track.shard, requestId, entityId: track.entityId, fromSeqNr: BigInt(fromSeqNr) };
      const send = () => this.host.send(source, { frame: { $case: "pull", value } });
      const began = scheduler.now();
      let warned = false;
      const retrying = scheduler.setInterval(() => {
        if (!this.host.isMember(source)) {
          log.warn(`entity ${JSON.stringify(track.entityId)}: ${source} left the cluster before it answered; recovering without it`);
          return answered(nothingPulled);
        }
        if (!warned && scheduler.now() - began >= this.region.options.ackTimeout) {
          warned = true;
          log.warn(`entity ${JSON.stringify(track.entityId)}: ${source} has not answered for ${this.region.options.ackTimeout} ms; it recovers once it does`);
        }
        send();
      }, PULL_RETRY);
      const answered = (pulled: Pulled) => {
        scheduler.clearInterval(retrying);
        this.pulls.delete(requestId);
        resolve(pulled);
      };
      this.pulls.set(requestId, answered);
      send();
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

  /** The entity's history from `fromSeqNr` on in this node's journal. */
  private historyOf(track: EntityTrack, fromSeqNr: number): Promise<History> {
    const journal = this.journalOf(track);
    return historyFrom(journal, track.persistenceId, fromSeqNr, this.host.codec);
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
