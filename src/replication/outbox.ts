import type { Logger } from "../actor/logger.js";
import type { Scheduler } from "../actor/scheduler.js";

/** Collects the frames of one event-loop turn and hands them on together (one gRPC message per turn). */
export class Outbox<F> {
  private frames: F[] = [];
  private scheduled = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly log: Logger,
    private readonly flush: (frames: F[]) => void,
  ) {}

  add(frame: F): void {
    this.frames.push(frame);
    if (this.scheduled) return;
    this.scheduled = true;
    this.scheduler.yieldThen(this.flushNow);
  }

  private readonly flushNow = (): void => {
    this.scheduled = false;
    const frames = this.frames;
    this.frames = [];
    try {
      this.flush(frames);
    } catch (error) {
      this.log.warn(`replication frames dropped: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
