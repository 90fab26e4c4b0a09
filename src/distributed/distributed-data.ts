import { AskTimeoutError, InvalidOptionError } from "../actor/errors.js";
import { DeadLetter } from "../actor/events.js";
import type { ExtensionId } from "../actor/extension.js";
import type { ActorRef } from "../actor/ref.js";
import type { ActorSystem } from "../actor/system.js";
import { nodeOf } from "../cluster-tools/cluster-node.js";
import type { EventJournal } from "../persistence/journal.js";
import { ShardEnvelope } from "../sharding/envelope.js";
import type { ReplicationOptions } from "../sharding/options.js";
import { sharded } from "../sharding/sharded.js";
import type { Serialization } from "../serialization/index.js";
import { counterStructure } from "./counter.js";
import { KEY_INDEX, keyIndexStructure, mapKeyStructure } from "./map.js";
import type { ResolvedStructureOptions } from "./options.js";
import { queueStructure } from "./queue.js";
import { parseRegionActorName, REGION_PREFIX, regionActorName, type RegionName } from "./region-name.js";
import { setStructure } from "./set.js";
import { structureEntity, type Command } from "./structure.js";

/** Milliseconds a map key waits for its index to list it (before its first value is written). */
const INDEX_TIMEOUT = 5000;

/**
 * Distributed data on one node: the regions of the structures it uses or hosts. A region for a
 * structure this node has not used yet starts when a peer's region first talks to it.
 */
export class DistributedData {
  private readonly system: ActorSystem;
  readonly serialization: Serialization;
  private readonly regions = new Map<string, ActorRef<ShardEnvelope<Command>>>();
  /** The journal of this node's persistent structures, once `distributed({ journal })` named it. */
  private journal: EventJournal | undefined;
  /** How the persistent structures' shards replicate, once `distributed({ journal, replication })` said so. */
  private replication: ReplicationOptions | undefined;
  /** Persistent structures this node was asked to host without a journal (warned about once each). */
  private readonly unhostable = new Set<string>();

  static of(system: ActorSystem): DistributedData {
    return system.extension(DistributedDataId);
  }

  constructor(system: ActorSystem) {
    this.system = system;
    this.serialization = nodeOf(system).remoting.serialization;
    system.eventStream.subscribe(DeadLetter, (letter) => this.hostOnDemand(letter));
  }

  /** Names the journal of this node's persistent structures (one per node), and their replication. */
  useJournal(journal: EventJournal, replication?: ReplicationOptions): void {
    if (this.journal !== undefined && this.journal !== journal) {
      throw new InvalidOptionError("distributed data already uses another journal on this node: pass the same one to every distributed({ journal })");
    }
    this.journal = journal;
    this.replication ??= replication;
  }

  /** The region of a structure on this node, started on first use. */
  region(region: RegionName): ActorRef<ShardEnvelope<Command>> {
    const actorName = regionActorName(region);
    let ref = this.regions.get(actorName);
    if (ref === undefined) {
      const journal = region.storage === "j" ? this.journal : undefined;
      if (region.storage === "j" && journal === undefined)
        throw new InvalidOptionError(`${region.kind} "${region.name}" is persistent, but this node has no journal for distributed data`);
      ref = this.system.spawnSystemActor(
        sharded((entityId) => entity(region, entityId, journal), {
          numShards: region.shards,
          ...(journal !== undefined && this.replication !== undefined && { replication: this.replication }),
        }),
        actorName,
      );
      this.regions.set(actorName, ref);
    }
    return ref;
  }

  /**
   * Sends one operation to the entity `entityId` of a structure (its region `ref`) and answers
   * `answer(reply)` (the reply itself by default) in the same step; a timeout names the structure.
   */
  call<R>(
    ref: ActorRef<ShardEnvelope<Command>>,
    region: RegionName,
    options: ResolvedStructureOptions,
    entityId: string,
    op: string,
    arg?: unknown,
    answer?: (reply: unknown) => R,
  ): Promise<R> {
    const reply = this.system.ask<ShardEnvelope<Command>, unknown>(
      ref,
      (replyTo) => new ShardEnvelope<Command>(entityId, { op, arg, replyTo: replyTo }),
      options,
    );
    return reply.then(answer, (error: unknown) => {
      if (!(error instanceof AskTimeoutError)) throw error;
      throw new AskTimeoutError(`${region.kind} "${region.name}": ${op} got no answer within ${options.timeout} ms (it may or may not have taken effect)`, {
        cause: error,
      });
    });
  }

  private hostOnDemand(letter: DeadLetter): void {
    const path = letter.recipient?.path;
    if (path === undefined || !path.startsWith(`/system/${REGION_PREFIX}`) || this.system.coordinatedShutdown.isRunning) return;
    const region = parseRegionActorName(path.slice("/system/".length));
    if (region === undefined) return;
    // the rest of an inbound batch that started the region is still addressed to "no actor": forwarded
    if (region.storage === "j" && this.journal === undefined) {
      const actorName = regionActorName(region);
      if (this.unhostable.has(actorName)) return;
      this.unhostable.add(actorName); // said once per structure
      this.system.log.warn(
        `cannot host ${region.kind} "${region.name}" here: this node has no journal for distributed data (call system.distributed({ journal }))`,
      );
      return;
    }
    this.region(region).tell(letter.message as ShardEnvelope<Command>);
  }
}

function entity(region: RegionName, entityId: string, journal: EventJournal | undefined) {
  const id = `${regionActorName(region)}/${entityId}`; // the journal key: unique across structures
  switch (region.kind) {
    case "counter":
      return structureEntity(counterStructure, id, journal);
    case "set":
      return structureEntity(setStructure, id, journal);
    case "queue":
      return structureEntity(queueStructure, id, journal);
    case "map":
      return entityId === KEY_INDEX ? structureEntity(keyIndexStructure, id, journal) : structureEntity(mapKeyStructure(entityId, INDEX_TIMEOUT), id, journal);
  }
}

export const DistributedDataId: ExtensionId<DistributedData> = {
  key: "casty.DistributedData",
  create: (system) => new DistributedData(system),
};
