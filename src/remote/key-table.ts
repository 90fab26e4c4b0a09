/** Strings an outbound stream's table holds at most; then the sender starts a new table. */
export const MAX_STREAM_KEYS = 16_384;

/**
 * The string table of an outbound stream (see MessageBatch.strings): recipient paths, manifests and
 * routing keys, each sent once, in the batch that first uses it, and then referenced by index. A
 * reset starts a new `keys` array, so a sealed batch keeps the table it was encoded against (to
 * replay it on a new stream, see `keysBefore`).
 */
export class KeyTable {
  keys: string[] = [];
  private indexes = new Map<string, number>();
  /** Index of the open batch's first new key. */
  private firstNewKey = 0;
  private resetInBatch = false;

  constructor(private readonly max = MAX_STREAM_KEYS) {}

  /** The index of `key`, adding it to the table (and to the open batch) when new. */
  indexOf(key: string): number {
    let index = this.indexes.get(key);
    if (index === undefined) {
      index = this.keys.push(key) - 1;
      this.indexes.set(key, index);
    }
    return index;
  }

  /** Undoes the `indexOf`s that added keys since the table had `size` keys (their envelope could not be encoded). */
  dropTo(size: number): void {
    while (this.keys.length > size) this.indexes.delete(this.keys.pop()!);
  }

  get size(): number {
    return this.keys.length;
  }

  /** The table is full: the batch must be sealed now, and the next one starts a new table. */
  get full(): boolean {
    return this.keys.length >= this.max;
  }

  /** The open batch starts a new table (the receiver empties its own first). */
  get batchResets(): boolean {
    return this.resetInBatch;
  }

  /** Keys of the table the open batch found (its own new keys follow them). */
  get batchStart(): number {
    return this.firstNewKey;
  }

  /** The open batch was sealed: the next one begins (with a new table once this one is full). */
  nextBatch(): void {
    this.resetInBatch = this.full;
    if (this.resetInBatch) {
      this.keys = [];
      this.indexes = new Map();
    }
    this.firstNewKey = this.keys.length;
  }
}
