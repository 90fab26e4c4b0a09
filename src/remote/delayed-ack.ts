import type { Scheduler, TimerHandle } from "../actor/scheduler.js";
import { ACK_DELAY_MS } from "./protocol.js";

/** Ticks without a delivery after which the ack timer stops (it starts again with the next batch). */
const IDLE_TICKS = 2;

/**
 * Acknowledges the batches of one stream a few ms after their delivery, one ack for many, so acks stay
 * off the path of request/reply latency. While batches keep arriving one interval timer acks every
 * ACK_DELAY_MS; a fresh `setTimeout` per ack instead costs Node 10 – 25 µs each time (its timer list for
 * that delay is made anew), and that sits inside the delivery that armed it.
 */
export class DelayedAck {
  private timer: TimerHandle | undefined;
  private unacked = false;
  private idleTicks = 0;

  constructor(
    private readonly scheduler: Scheduler,
    /** Writes the ack (the running count of delivered batches). */
    private readonly send: () => void,
  ) {}

  /** A batch was delivered: it is acknowledged within ACK_DELAY_MS. */
  delivered(): void {
    this.unacked = true;
    this.idleTicks = 0;
    this.timer ??= this.scheduler.setInterval(this.tick, ACK_DELAY_MS);
  }

  /** The stream is gone: no more acks. */
  stop(): void {
    if (this.timer !== undefined) this.scheduler.clearInterval(this.timer);
    this.timer = undefined;
  }

  private readonly tick = (): void => {
    if (this.unacked) {
      this.unacked = false;
      this.send();
    } else if (++this.idleTicks >= IDLE_TICKS) this.stop();
  };
}
