import type { Logger } from "../actor/logger.js";
import type { Scheduler } from "../actor/scheduler.js";
import type { EventEnvelope, Offset } from "../persistence/read-journal.js";
import type { ProjectionOptions } from "./projection-options.js";

const stop = Symbol("stop");

/**
 * One running projection: follows the tag from the stored offset and, per event, runs the handler and
 * stores the event's offset after it (at-least-once; exactly-once when the handler writes through the
 * store's transaction). A failing handler or journal restarts the stream from the stored offset.
 */
export class ProjectionRun<Tx> {
  private stopped = false;
  private wakeStop!: (value: typeof stop) => void;
  private readonly stopping = new Promise<typeof stop>((resolve) => (this.wakeStop = resolve));
  private running: Promise<void> | undefined;
  /** The offset of the last event handled and stored by this run. */
  offset: Offset | undefined;

  constructor(
    private readonly options: ProjectionOptions<Tx>,
    private readonly scheduler: Scheduler,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops after the event being handled (if any); resolves once nothing runs any more. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeStop(stop);
    await this.running;
  }

  private async loop(): Promise<void> {
    const { name, restartDelay = 1000 } = this.options;
    while (!this.stopped) {
      try {
        if (await this.follow()) return;
      } catch (error) {
        this.log.warn(`projection ${JSON.stringify(name)}: ${String(error)}; restarting from the stored offset in ${restartDelay} ms`);
      }
      await this.pause(restartDelay); // ends at once on stop
    }
  }

  private async pause(ms: number): Promise<void> {
    let timer: unknown;
    await Promise.race([new Promise<void>((resolve) => (timer = this.scheduler.setTimeout(resolve, ms))), this.stopping]);
    this.scheduler.clearTimeout(timer);
  }

  /** True when the stream ended (the journal closed) or the run stopped. */
  private async follow(): Promise<boolean> {
    const { name, journal, tag, handler, offsetStore } = this.options;
    const from = (await offsetStore.load(name)) ?? 0;
    // in batches: the race against a stop is per read, not per event
    const ended = new AbortController(); // a stopped run's query must not go on polling
    const batches = journal.eventsByTagBatched(tag, from, ended.signal)[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next: IteratorResult<readonly EventEnvelope[]> | typeof stop = await Promise.race([batches.next(), this.stopping]);
        if (next === stop || next.done === true) return true;
        for (const e of next.value) {
          await offsetStore.handleAndSave(name, e.offset, (tx) => handler(e, tx));
          this.offset = e.offset;
          if (this.stopped) return true;
        }
      }
    } finally {
      // a pending read finishes first (at once when it waits for new events); its outcome no longer matters
      ended.abort();
      void batches.return?.().catch(() => {});
    }
  }
}
