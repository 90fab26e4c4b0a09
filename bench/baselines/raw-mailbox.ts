// The raw baseline mailboxes: an array queue drained in one microtask. No supervision, no fairness,
// no dead letters: the upper bound a real actor mailbox is compared with.

/** Sync handler: the drain calls the handler for every queued message, including ones it enqueues. */
export class RawMailbox<T> {
  private readonly queue: T[] = [];
  private scheduled = false;
  constructor(private readonly handler: (msg: T) => void) {}

  tell(msg: T): void {
    this.queue.push(msg);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.drain()); // a transient closure: a per-instance arrow field costs ~360 B of heap
    }
  }

  private drain(): void {
    const q = this.queue;
    for (let i = 0; i < q.length; i++) this.handler(q[i]);
    q.length = 0;
    this.scheduled = false;
  }
}

/** Async handler: each message is awaited before the next one starts (one message at a time). */
export class RawAsyncMailbox<T> {
  private readonly queue: T[] = [];
  private scheduled = false;
  constructor(private readonly handler: (msg: T) => Promise<void>) {}

  tell(msg: T): void {
    this.queue.push(msg);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    const q = this.queue;
    for (let i = 0; i < q.length; i++) await this.handler(q[i]);
    q.length = 0;
    this.scheduled = false;
  }
}
