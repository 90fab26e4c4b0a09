import type { ShardEnvelope } from "./envelope.js";

/**
 * The bound on the messages a region holds (`bufferSize`): waiting for a shard's home, for a shard's
 * handoff, or for an entity that stops. Every buffer of the region draws on this one budget.
 */
export class BufferBudget {
  private used = 0;

  constructor(
    private readonly limit: number,
    /** Where a message goes that finds the budget spent. */
    private readonly overflow: (envelope: ShardEnvelope<unknown>) => void,
  ) {}

  get buffered(): number {
    return this.used;
  }

  push<M>(buffer: ShardEnvelope<M>[], envelope: ShardEnvelope<M>): void {
    if (this.used >= this.limit) {
      this.overflow(envelope);
      return;
    }
    buffer.push(envelope);
    this.used++;
  }

  /** The buffer's messages leave the budget (they are delivered, re-routed or dead letters). */
  release<M>(buffer: readonly ShardEnvelope<M>[]): readonly ShardEnvelope<M>[] {
    this.used -= buffer.length;
    return buffer;
  }
}
