import type { ActorContext, ActorRef, LifecycleHooks } from "../api.js";
import { ActorRestarted } from "../events.js";
import { Directive, type SupervisorStrategy } from "../supervision.js";
import { ChildrenCell } from "./children.js";
import { noop, RESTARTING, RUNNING, STOPPING, TERMINATED } from "./core.js";
import type { CellHost } from "./host.js";

/**
 * Failure and the life cycle around it: the supervisor's directive (restart within its budget,
 * stop, escalate), restart, and the stop sequence (children, `postStop`, watchers, parent).
 */
export abstract class FaultHandlingCell<M> extends ChildrenCell<M> {
  protected strategy: SupervisorStrategy | undefined;
  protected hooks: LifecycleHooks<M> | undefined;

  /** Installs the initial behaviour again, as on start (async only for async setups). */
  protected abstract reinitialize(): void | Promise<void>;
  /** On termination: drops the behaviour and turns what is queued into dead letters. */
  protected abstract closeMailbox(): void;

  protected fail(error: unknown): void {
    const log = this.system.log;
    if (this.state >= STOPPING) {
      log.error(`${this.self.path} failed while stopping`, error);
      return;
    }
    const strategy = this.strategy;
    let directive: Directive = Directive.stop;
    if (strategy !== undefined) {
      try {
        directive = strategy.decide(error);
      } catch (decideError) {
        log.error(`${this.self.path}: supervisor decider failed, stopping`, decideError);
      }
    }
    if (directive === Directive.restart) {
      const times = (this.more().restartTimes ??= []);
      if (strategy!.allowRestart(times, this.system.scheduler.now())) {
        log.warn(`${this.self.path} failed, restarting: ${describe(error)}`);
        this.restart(error);
        return;
      }
      log.error(`${this.self.path} failed and exceeded its restart limit, stopping`, error);
    } else if (directive === Directive.escalate) {
      log.error(`${this.self.path} failed, escalating to ${this.parentCell?.self.path ?? "the system"}`, error);
    } else {
      log.error(`${this.self.path} failed, stopping`, error);
    }
    this.stopActor();
    if (directive === Directive.escalate) this.parentCell?.escalated(error);
  }

  /** @internal */
  escalated(error: unknown): void {
    if (this.parentCell === undefined) return; // guardians only log (done by the child)
    this.fail(error);
  }

  protected restart(error: unknown): void {
    this.state = RESTARTING;
    this.cancelTimers();
    const events = this.system.eventStream;
    if (events.hasSubscribers(ActorRestarted)) events.publish(new ActorRestarted(this.self, error));
    const hooks = this.hooks;
    this.after(
      safeHook(this, () => hooks?.preRestart?.(this.context(), error)),
      () => this.afterChildrenStopped(() => this.completeRestart()),
    );
  }

  private completeRestart(): void {
    this.state = RUNNING;
    this.guarded(() => this.after(this.reinitialize(), () => this.runningHook("postRestart")));
    this.kick();
  }

  /** Runs `preStart`/`postRestart` unless setup already stopped the actor. */
  protected runningHook(hook: "preStart" | "postRestart"): void {
    const hooks = this.hooks;
    if (hooks?.[hook] !== undefined && this.state === RUNNING) this.after(hooks[hook](this.context()), noop);
  }

  /** @internal Stops the actor: children first, then `postStop`, then watchers hear `Terminated`. */
  stopActor(): void {
    if (this.state >= STOPPING) return;
    this.state = STOPPING;
    this.cancelTimers();
    this.afterChildrenStopped(() => this.postStop());
  }

  private postStop(): void {
    const result = safeHook(this, () => this.hooks?.postStop?.(this.context()));
    // safeHook's promise never rejects; terminate contains its own failures
    if (result instanceof Promise) void result.then(() => this.terminate());
    else this.terminate();
  }

  private terminate(): void {
    this.state = TERMINATED;
    this.closeMailbox();
    this.endDeathWatch();
    if (this.parentCell !== undefined) {
      this.parentCell.childTerminated(this);
      this.system.stopped(this.self);
    }
    const callbacks = this.extras?.onTerminated;
    if (callbacks !== undefined) for (const callback of callbacks) callback();
  }

  /** @internal Resolves once the actor has fully stopped. */
  whenTerminated(): Promise<void> {
    if (this.state === TERMINATED) return Promise.resolve();
    return new Promise((resolve) => (this.more().onTerminated ??= []).push(resolve));
  }

  /** The context handed to behaviours and hooks (the cell itself). */
  protected abstract context(): ActorContext<M>;
}

/** Runs a lifecycle hook; a throwing `postStop`/`preRestart` is logged, never fatal. */
function safeHook(cell: { readonly system: CellHost; readonly self: ActorRef<never> }, hook: () => void | Promise<void>): void | Promise<void> {
  try {
    const result = hook();
    return result instanceof Promise ? result.catch((error: unknown) => cell.system.log.error(`${cell.self.path}: lifecycle hook failed`, error)) : result;
  } catch (error) {
    cell.system.log.error(`${cell.self.path}: lifecycle hook failed`, error);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
