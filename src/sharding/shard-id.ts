// Shard of an entity: FNV-1a (32-bit) of the entity id's UTF-8 bytes, modulo the number of shards.
// Simple to implement in any language, so other clients route to the same shards.

const OFFSET_BASIS = 0x811c9dc5 | 0; // as an int32: V8 keeps the hash a small integer, not a double, through the loop
const PRIME = 0x01000193;
const utf8 = new TextEncoder();

export function fnv1a32(bytes: Uint8Array): number {
  let hash = OFFSET_BASIS;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], PRIME);
  return hash >>> 0;
}

export function shardOf(entityId: string, numShards: number): number {
  let hash = OFFSET_BASIS;
  for (let i = 0; i < entityId.length; i++) {
    const code = entityId.charCodeAt(i);
    if (code >= 0x80) return fnv1a32(utf8.encode(entityId)) % numShards; // non-ASCII: hash the real UTF-8 bytes
    hash = Math.imul(hash ^ code, PRIME);
  }
  return (hash >>> 0) % numShards;
}
