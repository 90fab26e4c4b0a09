import { InvalidOptionError } from "../actor/errors.js";
import type { ActorRef } from "../actor/ref.js";
import type { ShardEnvelope } from "../sharding/envelope.js";
import type { DistributedData } from "./distributed-data.js";
import { KEY_INDEX } from "./map.js";
import type { ResolvedStructureOptions } from "./options.js";
import type { RegionName } from "./region-name.js";
import type { Command } from "./structure.js";
import { decodeItem, decodeValue, encodeItem, encodeValue, valueIdentity, type EncodedValue, type Item } from "./value.js";

/** The one entity of a counter, set or queue. */
const SOLE = "structure";

abstract class Handle {
  /** The structure's region on this node. */
  private readonly ref: ActorRef<ShardEnvelope<Command>>;

  constructor(
    protected readonly data: DistributedData,
    protected readonly region: RegionName,
    protected readonly options: ResolvedStructureOptions,
  ) {
    this.ref = data.region(region); // hosted here from now on
  }

  get name(): string {
    return this.region.name;
  }

  /** Arguments are checked (and encoded) before: a bad one rejects the call, it never throws. */
  protected call<R>(op: string, arg?: unknown, entityId = SOLE, answer?: (reply: unknown) => R): Promise<R> {
    return this.data.call<R>(this.ref, this.region, this.options, entityId, op, arg, answer);
  }

  /** Encodes a value where the call is made: an unserializable one rejects with SerializationError. */
  protected encode(value: unknown): EncodedValue {
    return encodeValue(this.data.serialization, value);
  }

  protected decode(value: EncodedValue | undefined): unknown {
    return value === undefined ? undefined : decodeValue(this.data.serialization, value);
  }

  /** Removes the structure: it reads as new (empty, zero) afterwards. */
  async destroy(): Promise<void> {
    await this.call("destroy", this.options.timeout);
  }
}

/** A counter in the cluster; every call answers the value after it. */
export class DistributedCounter extends Handle {
  increment(n = 1): Promise<number> {
    return finite(n) ? this.call("add", n) : rejectAmount(n);
  }

  decrement(n = 1): Promise<number> {
    return finite(n) ? this.call("add", -n) : rejectAmount(n);
  }

  get(): Promise<number> {
    return this.call("get");
  }
}

function finite(n: number): boolean {
  return typeof n === "number" && Number.isFinite(n);
}

function rejectAmount(n: unknown): Promise<never> {
  return Promise.reject(new InvalidOptionError(`a counter changes by a finite number, got ${String(n)}`));
}

/** A map in the cluster, one entity per key: linearizable per key. */
export class DistributedMap<K, V> extends Handle {
  async put(key: K, value: V): Promise<V | undefined> {
    const encoded = this.encode(value);
    return this.decode(await this.call<EncodedValue | undefined>("put", encoded, this.keyId(key))) as V | undefined;
  }

  async get(key: K): Promise<V | undefined> {
    return this.decode(await this.call<EncodedValue | undefined>("get", undefined, this.keyId(key))) as V | undefined;
  }

  async contains(key: K): Promise<boolean> {
    return this.call("contains", undefined, this.keyId(key));
  }

  /** Answers whether the key existed. */
  async delete(key: K): Promise<boolean> {
    return this.call("delete", undefined, this.keyId(key));
  }

  override async destroy(): Promise<void> {
    await this.call("destroy", this.options.timeout, KEY_INDEX);
  }

  /** The entity of a key: strings as themselves, other keys by their encoding. */
  private keyId(key: K): string {
    return typeof key === "string" ? `s${key}` : `v${valueIdentity(this.encode(key))}`;
  }
}

/** A set in the cluster; members are equal when they encode the same. */
export class DistributedSet<T> extends Handle {
  /** Answers whether it was added (false: already a member). */
  async add(value: T): Promise<boolean> {
    return this.call("add", this.encode(value));
  }

  /** Answers whether it was removed (false: not a member). */
  async remove(value: T): Promise<boolean> {
    return this.call("remove", this.encode(value));
  }

  async contains(value: T): Promise<boolean> {
    return this.call("contains", this.encode(value));
  }

  size(): Promise<number> {
    return this.call("size");
  }
}

/** A FIFO queue in the cluster: every item enqueued is dequeued once. */
export class DistributedQueue<T> extends Handle {
  /** Decodes a reply in the same step as the call's own promise (one promise per call, as for a plain ask). */
  private readonly item = (item: unknown): T | undefined =>
    (item === undefined ? undefined : decodeItem(this.data.serialization, item as Item)) as T | undefined;

  enqueue(value: T): Promise<void> {
    let item: Item;
    try {
      item = encodeItem(this.data.serialization, value);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.call("enqueue", item, undefined, nothing);
  }

  /** The oldest item, removed; undefined when the queue is empty. */
  dequeue(): Promise<T | undefined> {
    return this.call("dequeue", undefined, undefined, this.item);
  }

  /** The oldest item, left in place. */
  peek(): Promise<T | undefined> {
    return this.call("peek", undefined, undefined, this.item);
  }

  size(): Promise<number> {
    return this.call("size");
  }
}

function nothing(): void {}
