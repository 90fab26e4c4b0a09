import { StructureKind, type StructureRef } from "../../gen/casty/v1/gateway.js";
import type { CallOptions, GatewayCalls } from "./rpc.js";

export interface ClientStructureOptions extends CallOptions {
  /** Shards of the structure (default 100): the same name and shards as the nodes use. */
  readonly shards?: number;
}

/** `client.distributed()`: the cluster's structures through the gateway, with the nodes' semantics. */
export class ClientDistributed {
  constructor(private readonly client: GatewayCalls) {}

  counter(name: string, options?: ClientStructureOptions): ClientCounter {
    return new ClientCounter(this.client, StructureKind.STRUCTURE_KIND_COUNTER, name, options);
  }

  map<K, V>(name: string, options?: ClientStructureOptions): ClientMap<K, V> {
    return new ClientMap(this.client, StructureKind.STRUCTURE_KIND_MAP, name, options);
  }

  set<T>(name: string, options?: ClientStructureOptions): ClientSet<T> {
    return new ClientSet(this.client, StructureKind.STRUCTURE_KIND_SET, name, options);
  }

  queue<T>(name: string, options?: ClientStructureOptions): ClientQueue<T> {
    return new ClientQueue(this.client, StructureKind.STRUCTURE_KIND_QUEUE, name, options);
  }
}

abstract class ClientStructure {
  protected readonly ref: StructureRef;

  constructor(
    protected readonly client: GatewayCalls,
    private readonly kind: StructureKind,
    readonly name: string,
    protected readonly options: ClientStructureOptions | undefined,
  ) {
    this.ref = { name, shards: options?.shards ?? 0 };
  }

  /** Removes the structure: it reads as new (empty, zero) afterwards. */
  async destroy(): Promise<void> {
    await this.client.invoke("destroy", () => ({ kind: this.kind, structure: this.ref }), this.options, false);
  }
}

/** Reads are retried on another contact point; changes are not (they may have taken effect). */
export class ClientCounter extends ClientStructure {
  async increment(n = 1): Promise<number> {
    return (await this.client.invoke("counterAdd", () => ({ counter: this.ref, delta: n }), this.options, false)).value;
  }

  async decrement(n = 1): Promise<number> {
    return (await this.client.invoke("counterAdd", () => ({ counter: this.ref, delta: -n }), this.options, false)).value;
  }

  async get(): Promise<number> {
    return (await this.client.invoke("counterGet", () => ({ counter: this.ref }), this.options, true)).value;
  }
}

export class ClientMap<K, V> extends ClientStructure {
  async put(key: K, value: V): Promise<V | undefined> {
    const response = await this.client.invoke(
      "mapPut",
      () => ({ map: this.ref, key: this.client.encode(key), value: this.client.encode(value) }),
      this.options,
      false,
    );
    return this.client.decode(response.previous) as V | undefined;
  }

  async get(key: K): Promise<V | undefined> {
    return this.client.decode((await this.client.invoke("mapGet", () => ({ map: this.ref, key: this.client.encode(key) }), this.options, true)).value) as
      V | undefined;
  }

  async contains(key: K): Promise<boolean> {
    return (await this.client.invoke("mapContains", () => ({ map: this.ref, key: this.client.encode(key) }), this.options, true)).contains;
  }

  /** Answers whether the key existed. */
  async delete(key: K): Promise<boolean> {
    return (await this.client.invoke("mapDelete", () => ({ map: this.ref, key: this.client.encode(key) }), this.options, false)).existed;
  }
}

export class ClientSet<T> extends ClientStructure {
  async add(value: T): Promise<boolean> {
    return (await this.client.invoke("setAdd", () => ({ set: this.ref, value: this.client.encode(value) }), this.options, false)).added;
  }

  async remove(value: T): Promise<boolean> {
    return (await this.client.invoke("setRemove", () => ({ set: this.ref, value: this.client.encode(value) }), this.options, false)).removed;
  }

  async contains(value: T): Promise<boolean> {
    return (await this.client.invoke("setContains", () => ({ set: this.ref, value: this.client.encode(value) }), this.options, true)).contains;
  }

  async size(): Promise<number> {
    return (await this.client.invoke("setSize", () => ({ set: this.ref }), this.options, true)).size;
  }
}

export class ClientQueue<T> extends ClientStructure {
  async enqueue(value: T): Promise<void> {
    await this.client.invoke("queueEnqueue", () => ({ queue: this.ref, value: this.client.encode(value) }), this.options, false);
  }

  async dequeue(): Promise<T | undefined> {
    return this.client.decode((await this.client.invoke("queueDequeue", () => ({ queue: this.ref }), this.options, false)).value) as T | undefined;
  }

  async peek(): Promise<T | undefined> {
    return this.client.decode((await this.client.invoke("queuePeek", () => ({ queue: this.ref }), this.options, true)).value) as T | undefined;
  }

  async size(): Promise<number> {
    return (await this.client.invoke("queueSize", () => ({ queue: this.ref }), this.options, true)).size;
  }
}
