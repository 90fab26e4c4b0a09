import { describe, expect, it } from "vitest";
import { fnv1a32, shardOf } from "../../src/sharding/shard-id.js";

const utf8 = new TextEncoder();

// The documented vectors (FNV-1a 32 of the UTF-8 bytes): other languages route with the same numbers.
const vectors: [string, number][] = [
  ["", 2166136261],
  ["a", 0xe40c292c],
  ["foobar", 0xbf9cf968],
  ["alice", 0x872213e7],
  ["é", 0x1e9de8c1], // UTF-8 c3 a9, not the Latin-1 byte e9
  ["日本", 0x9f26ee51],
  ["😀", 0x33a29608], // a surrogate pair in JS: the 4 UTF-8 bytes f0 9f 98 80
];

describe("fnv1a32", () => {
  it.each(vectors)("hashes the UTF-8 bytes of %j", (id, hash) => {
    expect(fnv1a32(utf8.encode(id))).toBe(hash);
  });

  it("is unsigned 32-bit", () => {
    for (const [id] of vectors) {
      const h = fnv1a32(utf8.encode(id));
      expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
    }
  });
});

describe("shardOf", () => {
  it.each(vectors)("is the hash of %j modulo numShards", (id, hash) => {
    for (const n of [1, 7, 10, 100, 1000, 2 ** 31]) expect(shardOf(id, n)).toBe(hash % n);
  });

  it("hashes non-ASCII ids by their UTF-8 bytes, also when the non-ASCII part comes late", () => {
    for (const id of ["caf\u00e9", "user-\u00e9t\u00e9-42", "\u00e9abc", "abc\u{1f600}", "x".repeat(50) + "\u00fc"]) {
      expect(shardOf(id, 1_000_003)).toBe(fnv1a32(utf8.encode(id)) % 1_000_003);
    }
    expect(shardOf("é", 2 ** 32 - 1)).not.toBe(0x6c0b6c44 % (2 ** 32 - 1)); // the Latin-1 hash would be wrong
  });

  it("matches the byte-wise hash on many ASCII ids and stays in range", () => {
    for (let i = 0; i < 2000; i++) {
      const id = `entity-${i}`;
      const shard = shardOf(id, 100);
      expect(shard).toBe(fnv1a32(utf8.encode(id)) % 100);
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(100);
    }
  });

  it("spreads 1000 ids over 100 shards", () => {
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 1000; i++) counts[shardOf(`entity-${i}`, 100)]++;
    expect(counts.filter((c) => c > 0).length).toBeGreaterThan(90);
    expect(Math.max(...counts)).toBeLessThan(30);
  });
});
