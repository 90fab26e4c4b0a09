import type { ActorSystem } from "../actor/system.js";
import { DistributedData } from "./distributed-data.js";
import { DistributedCounter, DistributedMap, DistributedQueue, DistributedSet } from "./handles.js";
import { resolveStructureOptions, type DistributedOptions, type StructureOptions } from "./options.js";
import type { Storage, StructureKind } from "./region-name.js";

/** `system.distributed(options)`: the structures of the cluster, by name, in memory or in a journal. */
export class Distributed {
  private readonly data: DistributedData;
  private readonly storage: Storage;

  constructor(system: ActorSystem, options: DistributedOptions = {}) {
    this.data = DistributedData.of(system);
    if (options.journal !== undefined) this.data.useJournal(options.journal, options.replication);
    this.storage = options.journal === undefined ? "m" : "j";
  }

  counter(name: string, options?: StructureOptions): DistributedCounter {
    return this.handle(DistributedCounter, "counter", name, options);
  }

  map<K, V>(name: string, options?: StructureOptions): DistributedMap<K, V> {
    return this.handle(DistributedMap<K, V>, "map", name, options);
  }

  set<T>(name: string, options?: StructureOptions): DistributedSet<T> {
    return this.handle(DistributedSet<T>, "set", name, options);
  }

  queue<T>(name: string, options?: StructureOptions): DistributedQueue<T> {
    return this.handle(DistributedQueue<T>, "queue", name, options);
  }

  private handle<H>(
    ctor: new (
      data: DistributedData,
      region: { kind: StructureKind; storage: Storage; shards: number; name: string },
      options: ReturnType<typeof resolveStructureOptions>,
    ) => H,
    kind: StructureKind,
    name: string,
    options: StructureOptions | undefined,
  ): H {
    if (typeof name !== "string" || name.length === 0) throw new TypeError(`a ${kind} needs a non-empty name`);
    const resolved = resolveStructureOptions(options);
    const region = { kind, storage: this.storage, shards: resolved.shards, name };
    return new ctor(this.data, region, resolved);
  }
}

/** The distributed data structures of `system`'s cluster (`system.distributed(options)`). */
export function distributed(system: ActorSystem, options?: DistributedOptions): Distributed {
  return new Distributed(system, options);
}
