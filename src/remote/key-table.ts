const SLOTS = 1024; // a power of two

/**
 * The `keys` table of one outbound batch. A key already in the table is found through a small
 * direct-mapped cache (no Map to grow and drop per batch); a key whose slot another key took is simply
 * added again: the table may repeat a key, the receiver only follows indexes.
 */
export class KeyTable {
  readonly keys: string[] = [];
  private readonly slotKeys = new Array<string | undefined>(SLOTS).fill(undefined);
  private readonly slotIndexes = new Int32Array(SLOTS);
  /** Which batch a slot's index belongs to: bumping it empties the cache at once. */
  private readonly slotBatches = new Int32Array(SLOTS);
  private batch = 1;

  /** The index of `key` in this batch's table, adding it when needed. */
  indexOf(key: string): number {
    const length = key.length;
    // cheap and good enough for ids that differ at the end ("entity-17", "entity-18")
    const slot = (length * 31 + (length > 0 ? key.charCodeAt(length - 1) * 7 : 0) + (length > 1 ? key.charCodeAt(length - 2) * 131 : 0)) & (SLOTS - 1);
    if (this.slotBatches[slot] === this.batch && this.slotKeys[slot] === key) return this.slotIndexes[slot];
    const index = this.keys.push(key) - 1;
    this.slotKeys[slot] = key;
    this.slotIndexes[slot] = index;
    this.slotBatches[slot] = this.batch;
    return index;
  }

  /** Undoes the last `indexOf` that added a key (its envelope could not be encoded). */
  dropLast(): void {
    this.keys.pop();
    this.batch++; // the dropped index may be cached
  }

  get size(): number {
    return this.keys.length;
  }

  clear(): void {
    if (this.keys.length === 0) return; // no slot belongs to this batch
    this.keys.length = 0;
    this.batch++;
  }
}
