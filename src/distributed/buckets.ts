import { shardOf } from "../sharding/shard-id.js";

const BUCKETS = 64;

/**
 * An immutable string-keyed map whose change copies one of 64 buckets, not every entry: sets and
 * the key index of a map stay values without a full copy per event.
 */
export interface Buckets<V> {
  readonly buckets: readonly ReadonlyMap<string, V>[];
  readonly size: number;
}

const noEntries: ReadonlyMap<string, unknown> = new Map<string, unknown>();

export function emptyBuckets<V>(): Buckets<V> {
  return { buckets: Array.from({ length: BUCKETS }, () => noEntries as ReadonlyMap<string, V>), size: 0 };
}

function bucketOf(key: string): number {
  return shardOf(key, BUCKETS);
}

export function hasKey<V>(map: Buckets<V>, key: string): boolean {
  return map.buckets[bucketOf(key)].has(key);
}

export function withEntry<V>(map: Buckets<V>, key: string, value: V): Buckets<V> {
  const index = bucketOf(key);
  const bucket = map.buckets[index];
  const buckets = [...map.buckets];
  buckets[index] = new Map(bucket).set(key, value);
  return { buckets, size: map.size + (bucket.has(key) ? 0 : 1) };
}

export function withoutKey<V>(map: Buckets<V>, key: string): Buckets<V> {
  const index = bucketOf(key);
  const bucket = map.buckets[index];
  if (!bucket.has(key)) return map;
  const next = new Map(bucket);
  next.delete(key);
  const buckets = [...map.buckets];
  buckets[index] = next;
  return { buckets, size: map.size - 1 };
}

export function keysOf<V>(map: Buckets<V>): string[] {
  return map.buckets.flatMap((bucket) => [...bucket.keys()]);
}
