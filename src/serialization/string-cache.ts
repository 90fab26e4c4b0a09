import type { BinaryReader } from "@bufbuild/protobuf/wire";
import { DeserializationError } from "./errors.js";

// BinaryReader keeps its bytes in a TypeScript-private field. Reading them directly lets strings that
// recur in every message (object keys, class names, ref addresses) be decoded once and then found by
// hash: no allocation, and V8 gets the same interned key back, which makes the property stores cheap.
interface ReaderState {
  readonly buf: Uint8Array;
}

const SLOTS = 1024;
const MAX_LENGTH = 64;

export class StringCache {
  private readonly slots = new Array<string | undefined>(SLOTS).fill(undefined);
  private readonly mask = SLOTS - 1;

  /** Reads a length-prefixed string field, from the cache when it is short ASCII. */
  read(r: BinaryReader): string {
    const lengthAt = r.pos;
    const length = r.uint32();
    const start = r.pos;
    const end = start + length;
    if (end > r.len) throw new DeserializationError(`malformed payload: a string of ${length} bytes runs past the end`);
    if (length > MAX_LENGTH) return this.fallback(r, lengthAt);
    const buf = (r as unknown as ReaderState).buf;
    let hash = length;
    for (let i = start; i < end; i++) {
      const byte = buf[i];
      if (byte > 0x7f) return this.fallback(r, lengthAt);
      hash = (Math.imul(hash, 31) + byte) | 0;
    }
    const slot = hash & this.mask;
    const cached = this.slots[slot];
    r.pos = end;
    if (cached !== undefined && cached.length === length && sameAscii(cached, buf, start)) return cached;
    const text = String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
    const fresh = internalize(text);
    this.slots[slot] = fresh;
    return fresh;
  }

  private fallback(r: BinaryReader, lengthAt: number): string {
    r.pos = lengthAt;
    return r.string();
  }
}

function sameAscii(text: string, buf: Uint8Array, start: number): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}

/** The engine's interned copy of `text` (what property keys use), via a computed key. */
function internalize(text: string): string {
  return Object.keys({ [text]: 0 })[0];
}
