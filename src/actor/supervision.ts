import { InvalidOptionError, requirePositive } from "./errors.js";

export const Directive = {
  /** Replace the failed behaviour with a fresh copy of the initial one (closure state is reset). */
  restart: "restart",
  /** Stop the failed actor. */
  stop: "stop",
  /** Stop the failed actor and fail its parent with the same error. */
  escalate: "escalate",
} as const;
export type Directive = (typeof Directive)[keyof typeof Directive];

export interface SupervisorStrategy {
  decide(error: unknown): Directive;
  /** Records a restart at `now`; false when the restart budget of the window is spent. */
  allowRestart(restartTimes: number[], now: number): boolean;
}

export interface OneForOneOptions {
  maxRestarts?: number;
  within?: number;
  decider?: (error: unknown) => Directive;
}

/** Decides for the failing actor alone; more than `maxRestarts` restarts within `within` ms stop it. */
export class OneForOneStrategy implements SupervisorStrategy {
  readonly maxRestarts: number;
  readonly within: number;
  private readonly decider: (error: unknown) => Directive;

  constructor({ maxRestarts = 10, within = 60_000, decider = () => Directive.restart }: OneForOneOptions = {}) {
    if (!Number.isInteger(maxRestarts) || maxRestarts < 0) {
      throw new InvalidOptionError(`maxRestarts must be a non-negative integer, got ${String(maxRestarts)}`);
    }
    this.maxRestarts = maxRestarts;
    this.within = requirePositive(within, "within");
    this.decider = decider;
  }

  decide(error: unknown): Directive {
    return this.decider(error);
  }

  allowRestart(restartTimes: number[], now: number): boolean {
    while (restartTimes.length > 0 && restartTimes[0] <= now - this.within) restartTimes.shift();
    if (restartTimes.length >= this.maxRestarts) return false;
    restartTimes.push(now);
    return true;
  }
}
