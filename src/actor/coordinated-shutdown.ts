import { InvalidOptionError, requirePositive } from "./errors.js";
import type { Logger } from "./logger.js";
import type { Scheduler } from "./scheduler.js";

/** The phases of a shutdown, in the order they run (as Akka's CoordinatedShutdown). */
export const ShutdownPhase = {
  beforeServiceUnbind: "before-service-unbind",
  /** Stop accepting client calls (gateway, user gRPC). */
  serviceUnbind: "service-unbind",
  /** Regions hand their shards off. */
  shardingHandOff: "cluster-sharding-shutdown-region",
  /** Announce leave. */
  clusterLeave: "cluster-leave",
  /** Wait (bounded) until removed. */
  clusterExiting: "cluster-exiting",
  beforeActorSystemTerminate: "before-actor-system-terminate",
  /** Built in: the `/user` tree. */
  stopUserActors: "stop-user-actors",
  /** Remoting endpoints, gRPC server, clients. */
  closeTransports: "close-transports",
  /** Built in: the `/system` tree. */
  stopSystemActors: "stop-system-actors",
} as const;

export type ShutdownPhaseName = (typeof ShutdownPhase)[keyof typeof ShutdownPhase];
export type ShutdownReason = "shutdown" | "leave" | "downed" | "removed" | "signal" | (string & {});
export type ShutdownTask = (reason: ShutdownReason) => Promise<void> | void;

export interface ShutdownOptions {
  /** Milliseconds a phase may take before the next one starts anyway (default 10000). */
  phaseTimeout?: number;
  /** Per-phase overrides of `phaseTimeout`. */
  phaseTimeouts?: Partial<Record<ShutdownPhaseName, number>>;
}

export const DEFAULT_PHASE_TIMEOUT = 10_000;

const phaseOrder: readonly ShutdownPhaseName[] = Object.values(ShutdownPhase);

interface Task {
  readonly name: string;
  readonly run: ShutdownTask;
  /** What the task still waits for, named in the timeout warning. */
  readonly pending: (() => string) | undefined;
}

export interface CoordinatedShutdownHost {
  readonly name: string;
  readonly scheduler: Scheduler;
  readonly log: Logger;
}

/**
 * One ordered list of named phases, each bounded by a timeout. Tasks of a phase run concurrently; a
 * phase ends when all of them settled or its timeout passed; a failing task is logged and the next
 * phase runs anyway. `run` happens once: every call returns the same promise.
 */
export class CoordinatedShutdown {
  private readonly tasks = new Map<ShutdownPhaseName, Task[]>();
  private readonly timeouts = new Map<ShutdownPhaseName, number>();
  private running: Promise<void> | undefined;
  private startedReason: ShutdownReason | undefined;
  /** Index in `phaseOrder` of the phase that runs now; tasks added to it or earlier ones are too late. */
  private phaseIndex = -1;

  constructor(
    private readonly host: CoordinatedShutdownHost,
    options: ShutdownOptions = {},
    /** Runs after the last phase, inside the promise `run` returns. */
    private readonly finished: () => void = () => {},
  ) {
    const fallback = options.phaseTimeout === undefined ? DEFAULT_PHASE_TIMEOUT : requirePositive(options.phaseTimeout, "shutdown phaseTimeout");
    for (const phase of phaseOrder) this.timeouts.set(phase, fallback);
    for (const [phase, timeout] of Object.entries(options.phaseTimeouts ?? {})) {
      this.timeouts.set(checkPhase(phase), requirePositive(timeout, `shutdown timeout of phase ${phase}`));
    }
  }

  /** The reason given to `run`, once the shutdown started. */
  get reason(): ShutdownReason | undefined {
    return this.startedReason;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /**
   * Adds `task` to `phase`; returns a function that removes it. A task added once its phase started
   * never runs (logged).
   */
  addTask(phase: ShutdownPhaseName, name: string, task: ShutdownTask, pending?: () => string): () => void {
    const index = phaseOrder.indexOf(checkPhase(phase));
    if (index <= this.phaseIndex) {
      this.host.log.warn(`shutdown task "${name}" added to phase ${phase}, which already ran: it will not run`);
      return () => {};
    }
    const entry: Task = { name, run: task, pending };
    let list = this.tasks.get(phase);
    if (list === undefined) this.tasks.set(phase, (list = []));
    list.push(entry);
    return () => {
      const current = this.tasks.get(phase);
      const at = current?.indexOf(entry) ?? -1;
      if (at >= 0) current!.splice(at, 1);
    };
  }

  /** Runs every phase in order; idempotent (later calls get the first call's promise and reason). */
  run(reason: ShutdownReason): Promise<void> {
    if (this.running === undefined) {
      this.startedReason = reason;
      this.host.log.debug(`coordinated shutdown of ${this.host.name} started, reason: ${reason}`);
      this.running = this.runPhases(reason);
    }
    return this.running;
  }

  private async runPhases(reason: ShutdownReason): Promise<void> {
    for (const [i, phase] of phaseOrder.entries()) {
      this.phaseIndex = i;
      const tasks = this.tasks.get(phase);
      if (tasks !== undefined && tasks.length > 0) await this.runPhase(phase, [...tasks], reason);
    }
    this.finished();
  }

  private runPhase(phase: ShutdownPhaseName, tasks: readonly Task[], reason: ShutdownReason): Promise<void> {
    const running = new Set(tasks);
    const { scheduler, log } = this.host;
    return new Promise<void>((resolve) => {
      const timeout = this.timeouts.get(phase)!;
      const timer = scheduler.setTimeout(() => {
        const names = [...running].map((t) => (t.pending === undefined ? t.name : `${t.name} (${t.pending()})`));
        log.warn(`shutdown phase ${phase} timed out after ${timeout} ms; still running: ${names.join(", ")}`);
        resolve();
      }, timeout);
      const settled = (task: Task): void => {
        running.delete(task);
        if (running.size > 0) return;
        scheduler.clearTimeout(timer);
        resolve();
      };
      for (const task of tasks) {
        const failed = (error: unknown): void => {
          log.error(`shutdown task "${task.name}" in phase ${phase} failed`, error);
          settled(task);
        };
        try {
          Promise.resolve(task.run(reason)).then(() => settled(task), failed);
        } catch (error) {
          failed(error);
        }
      }
    });
  }
}

function checkPhase(phase: string): ShutdownPhaseName {
  if (!(phaseOrder as readonly string[]).includes(phase)) {
    throw new InvalidOptionError(`unknown shutdown phase "${phase}"; phases: ${phaseOrder.join(", ")}`);
  }
  return phase as ShutdownPhaseName;
}
