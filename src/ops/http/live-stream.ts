import type { ServerResponse } from "node:http";
import type { Scheduler, TimerHandle } from "../../actor/scheduler.js";
import type { Logger } from "../../actor/logger.js";

/** Pages open at once on one node; more are refused (each costs a gather per second). */
export const MAX_STREAMS = 32;

/**
 * Server-Sent Events to the open pages: while at least one is open, `produce()` runs every
 * `intervalMs` and each page gets the result as one `data:` event.
 */
export class LiveStream<T> {
  private readonly streams = new Set<ServerResponse>();
  private timer: TimerHandle | undefined;
  private producing = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly produce: () => Promise<T>,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  /** Keeps `response` open as an event stream; false (nothing written) when too many are open. */
  open(response: ServerResponse): boolean {
    if (this.streams.size >= MAX_STREAMS) return false;
    response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
    response.write("retry: 1000\n\n");
    this.streams.add(response);
    response.on("close", () => {
      this.streams.delete(response);
      if (this.streams.size === 0) this.stopTimer();
    });
    this.timer ??= this.scheduler.setInterval(() => this.tick(), this.intervalMs);
    this.tick();
    return true;
  }

  /** Ends every stream (shutdown). */
  closeAll(): void {
    this.stopTimer();
    for (const response of this.streams) response.end();
    this.streams.clear();
  }

  private tick(): void {
    if (this.producing) return; // a slow gather is not stacked up
    this.producing = true;
    this.produce().then(
      (value) => {
        this.producing = false;
        const event = `data: ${JSON.stringify(value)}\n\n`;
        for (const response of this.streams) response.write(event);
      },
      (error: unknown) => {
        this.producing = false;
        this.log.warn("the cluster page's update failed", error);
      },
    );
  }

  private stopTimer(): void {
    if (this.timer !== undefined) this.scheduler.clearInterval(this.timer);
    this.timer = undefined;
  }
}
