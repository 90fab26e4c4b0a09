import type { Logger } from "../actor/logger.js";

/**
 * Writes that wait for the inbound batch being delivered to end. An actor that runs inline during the
 * delivery replies at once, and the endpoint of an idle link would then wait a few microtask
 * checkpoints before writing (see Endpoint.send); here it writes as soon as the delivery returns, one
 * batch per peer for all the replies to that batch, with no microtasks queued.
 */
export class DeliveryFlushes {
  private depth = 0;
  private readonly pending: (() => void)[] = [];

  constructor(private readonly log: Logger) {}

  /** An inbound batch is being delivered now. */
  get delivering(): boolean {
    return this.depth > 0;
  }

  /** Runs `flush` when the delivery under way ends (call only while `delivering`). */
  defer(flush: () => void): void {
    this.pending.push(flush);
  }

  /** A delivery starts (they nest: a batch delivered from within another). */
  begin(): void {
    this.depth++;
  }

  /** The delivery that `begin` started ended: the outermost one runs the deferred flushes. */
  end(): void {
    if (--this.depth === 0 && this.pending.length > 0) this.flushAll();
  }

  private flushAll(): void {
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      try {
        pending[i]();
      } catch (error) {
        this.log.error(`writing after a delivery failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    pending.length = 0;
  }
}
