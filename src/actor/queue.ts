/** Growable ring buffer: O(1) push/shift without the array re-indexing of `Array.prototype.shift`. */
export class Queue<T> {
  private items: (T | undefined)[];
  private head = 0;
  private tail = 0;
  private mask: number;
  length = 0;

  constructor(initialCapacity = 16) {
    let capacity = 4;
    while (capacity < initialCapacity) capacity <<= 1;
    this.items = new Array<T | undefined>(capacity);
    this.mask = capacity - 1;
  }

  push(item: T): void {
    if (this.length === this.mask + 1) this.grow();
    this.items[this.tail] = item;
    this.tail = (this.tail + 1) & this.mask;
    this.length++;
  }

  /** Removes and returns the oldest item; callers check `length` first. */
  shift(): T {
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return item;
  }

  peek(): T | undefined {
    return this.length === 0 ? undefined : this.items[this.head];
  }

  /** Removes every item, handing each to `fn` in order. */
  drain(fn: (item: T) => void): void {
    while (this.length > 0) fn(this.shift());
  }

  private grow(): void {
    const old = this.items;
    const capacity = old.length * 2;
    const items = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.length; i++) items[i] = old[(this.head + i) & this.mask];
    this.items = items;
    this.head = 0;
    this.tail = this.length;
    this.mask = capacity - 1;
  }
}
