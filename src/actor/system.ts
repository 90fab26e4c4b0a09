import type { ActorRef, ActorSystemView, AskOptions, Behavior, ExtensionIdFor, ReplyOf, SpawnOptions } from "./api.js";
import { askOfRequest, AskRegistry, PromiseRef } from "./ask.js";
import { LocalBehaviors } from "./behavior.js";
import { ActorKinds, type KindCounters } from "./actor-kinds.js";
import { ActorCell } from "./cell/actor-cell.js";
import type { CellHost } from "./cell/host.js";
import { CoordinatedShutdown, ShutdownPhase, type ShutdownOptions } from "./coordinated-shutdown.js";
import { Dispatcher, DEFAULT_THROUGHPUT } from "./dispatcher.js";
import { InvalidOptionError, requirePositive, SystemTerminatedError } from "./errors.js";
import { EventStream } from "./event-stream.js";
import { ActorStarted, ActorStopped, DeadLetter, UnhandledMessage } from "./events.js";
import { ExtensionRegistry } from "./extension-registry.js";
import { atLevel, ConsoleLogger, isLogLevel, type Logger, type LogLevel } from "./logger.js";
import { LocalActorRef } from "./local-ref.js";
import { realScheduler, type Scheduler } from "./scheduler.js";

export interface ActorSystemOptions {
  /** System name, part of every actor address (default "casty"). */
  name?: string;
  /** Clock, timers and randomness (default: the real ones). */
  scheduler?: Scheduler;
  /** Where log lines go (default: the console). */
  logger?: Logger;
  /**
   * Lowest level logged. The console logger defaults to $CASTY_LOG_LEVEL or "info"; a custom
   * `logger` gets every line unless `logLevel` is given, then only those at that level and above.
   */
  logLevel?: LogLevel;
  /** Messages an actor processes before others get a turn (default 512). */
  throughput?: number;
  /** Timeouts of the coordinated shutdown's phases. */
  shutdown?: ShutdownOptions;
}

const validSystemName = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** Dead letters logged one by one before logging only every 10,000th. */
const DEAD_LETTERS_LOGGED = 10;
/** Actors named in the warning about a stop phase that timed out. */
const HUNG_ACTORS_NAMED = 10;

/** Hosts actors: spawn, ask, lookup, event stream, orderly shutdown. */
export class ActorSystem implements ActorSystemView, CellHost, AsyncDisposable {
  readonly name: string;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly eventStream: EventStream;
  /** Ordered, bounded phases that `shutdown()` runs; features add their tasks to it. */
  readonly coordinatedShutdown: CoordinatedShutdown;
  /** Resolves once the system has terminated, whatever started the shutdown (a call, a leave, being downed). */
  readonly whenTerminated: Promise<void>;
  /** `casty://<name>` locally; remoting adds `@host:port`. */
  addressPrefix: string;
  /** @internal */ readonly dispatcher: Dispatcher;
  /** @internal */ readonly asks: AskRegistry;
  /** @internal Counters per kind of actor (messages processed, dead letters), read by metrics. */
  readonly kinds = new ActorKinds();
  private readonly userGuardian: ActorCell<unknown>;
  private readonly systemGuardian: ActorCell<unknown>;
  private readonly extensions: ExtensionRegistry<ActorSystem>;
  private nameCounter = 0;
  private deadLetterCount = 0;
  /** The stop-user-actors phase began: no more spawns. */
  private stopping = false;
  private terminated = false;

  constructor(options: ActorSystemOptions = {}) {
    const name = options.name ?? "casty";
    if (!validSystemName.test(name)) {
      throw new InvalidOptionError(`invalid system name "${name}": letters, digits, "-" and "_", starting with a letter or digit`);
    }
    this.name = name;
    this.addressPrefix = `casty://${name}`;
    this.scheduler = options.scheduler ?? realScheduler;
    const { logger, logLevel } = options;
    if (logLevel !== undefined && !isLogLevel(logLevel)) {
      throw new InvalidOptionError(`unknown logLevel "${String(logLevel)}": debug, info, warn, error or silent`);
    }
    this.log = logger === undefined ? new ConsoleLogger(name, logLevel) : logLevel === undefined ? logger : atLevel(logger, logLevel);
    this.eventStream = new EventStream(this.log);
    const throughput = options.throughput === undefined ? DEFAULT_THROUGHPUT : requirePositive(options.throughput, "throughput", { integer: true });
    this.dispatcher = new Dispatcher(this.scheduler, throughput);
    this.asks = new AskRegistry(this, this.scheduler);
    this.userGuardian = this.guardian("user");
    this.systemGuardian = this.guardian("system");
    this.extensions = new ExtensionRegistry<ActorSystem>(this);
    let terminated!: () => void;
    this.whenTerminated = new Promise<void>((resolve) => (terminated = resolve));
    this.coordinatedShutdown = new CoordinatedShutdown(this, options.shutdown, () => {
      this.terminated = true;
      this.asks.failAll(`actor system ${this.name} terminated before the reply`);
      terminated();
    });
    this.addStopTask(ShutdownPhase.stopUserActors, this.userGuardian);
    this.addStopTask(ShutdownPhase.stopSystemActors, this.systemGuardian);
  }

  /** The extension `id` of this system, created on first use (throws when `create` throws). */
  extension<T>(id: ExtensionIdFor<T, ActorSystem>): T {
    return this.extensions.get(id);
  }

  /** Installs a pre-built instance of `id` (e.g. remoting around a bound server); throws if one exists. */
  registerExtension<T>(id: ExtensionIdFor<T, ActorSystem>, instance: T): void {
    this.extensions.register(id, instance);
  }

  /** The extension `id` if it exists; never creates it. */
  findExtension<T>(id: ExtensionIdFor<T, ActorSystem>): T | undefined {
    return this.extensions.find(id);
  }

  /** Spawns a top-level actor under `/user`. */
  spawn<M>(behavior: Behavior<M>, name?: string, options?: SpawnOptions): ActorRef<M> {
    return this.userGuardian.spawn(behavior, name, options);
  }

  /** @internal Spawns an infrastructure actor under `/system`. */
  spawnSystemActor<M>(behavior: Behavior<M>, name: string, options?: SpawnOptions): ActorRef<M> {
    return this.systemGuardian.spawn(behavior, name, options);
  }

  /** Sends `createRequest(replyTo)` to `target` and resolves with the first reply. */
  // `const Req` keeps literal discriminants (kind: "get") of the request when the reply type is inferred.
  ask<const Req, Res = ReplyOf<Req>>(target: ActorRef<Req>, createRequest: (replyTo: ActorRef<Res>) => NoInfer<Req>, options?: AskOptions): Promise<Res> {
    if (this.terminated) return Promise.reject(new SystemTerminatedError(`actor system ${this.name} is terminated`));
    let replyTo;
    try {
      replyTo = this.asks.create<Res>(target, options);
    } catch (error) {
      return rejected(error);
    }
    try {
      target.tell(createRequest(replyTo));
    } catch (error) {
      replyTo.settled = true;
      this.asks.settled(replyTo as PromiseRef<unknown>);
      return rejected(error);
    }
    return replyTo.promise;
  }

  /** The ref at `path` (e.g. `/user/parent/child`), or undefined when no such actor lives. */
  lookup<M = unknown>(path: string): ActorRef<M> | undefined {
    if (path.startsWith("/temp/")) return this.asks.lookup(path);
    const segments = path.split("/").filter((s) => s.length > 0);
    const top = segments.shift();
    let ref: LocalActorRef<unknown> | undefined = top === "user" ? this.userGuardian.self : top === "system" ? this.systemGuardian.self : undefined;
    for (const segment of segments) {
      const child = ref?.cell.child(segment);
      ref = child instanceof LocalActorRef ? child : undefined;
    }
    return ref === undefined || ref.cell.isTerminated ? undefined : ref;
  }

  get isTerminated(): boolean {
    return this.terminated;
  }

  /** @internal Every live actor's path, kind and mailbox size (walks the whole tree: for scrapes, not hot paths). */
  visitActors(visit: (path: string, counters: KindCounters, mailboxSize: number) => void): void {
    for (const guardian of [this.userGuardian, this.systemGuardian]) {
      guardian.visitDescendants((cell) => {
        if (cell instanceof ActorCell) visit(cell.self.path, cell.counters, cell.mailboxSize);
      });
    }
  }

  /**
   * Runs the coordinated shutdown (reason "shutdown"): the features' phases, then user actors
   * (children before parents), transports, system actors. Each phase is bounded by its timeout.
   */
  shutdown(): Promise<void> {
    return this.coordinatedShutdown.run("shutdown");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  /** A stop phase: stops the tree under `guardian`; a timeout names the actors whose stop hangs. */
  private addStopTask(phase: typeof ShutdownPhase.stopUserActors | typeof ShutdownPhase.stopSystemActors, guardian: ActorCell<unknown>): void {
    this.coordinatedShutdown.addTask(
      phase,
      `stop ${guardian.self.path}`,
      () => {
        this.stopping = true;
        guardian.stopActor();
        return guardian.whenTerminated();
      },
      () => `waiting for ${guardian.holdingUp([], HUNG_ACTORS_NAMED).join(", ")}`,
    );
  }

  /** @internal */
  ensureRunning(): void {
    if (this.terminated || this.stopping) {
      throw new SystemTerminatedError(`actor system ${this.name} is ${this.terminated ? "terminated" : "shutting down"}`);
    }
  }

  /** @internal */
  nextName(): string {
    return `$${(this.nameCounter++).toString(36)}`;
  }

  /** @internal A message that could not be delivered: published as `DeadLetter` and logged (rate limited). */
  deadLetter(message: unknown, recipient: ActorRef<never> | undefined, reason?: string): void {
    const count = ++this.deadLetterCount;
    this.kinds.of(recipient?.path ?? "/deadLetters").deadLetters++;
    const event = new DeadLetter(message, recipient, reason);
    if (count <= DEAD_LETTERS_LOGGED || count % 10_000 === 0) {
      this.log.info(`dead letter #${count} to ${recipient?.path ?? "(unknown)"}: ${event.reason}`);
    }
    // a late reply to an ask is no request: only requests fail their ask
    if (!(recipient instanceof PromiseRef)) this.failAsk(message, recipient, event.reason);
    this.eventStream.publish(event);
  }

  /** The ask whose request `message` is (if any) fails now rather than at its timeout. */
  private failAsk(message: unknown, recipient: ActorRef<never> | undefined, reason: string): void {
    try {
      askOfRequest(message)?.undelivered(recipient, reason);
    } catch (error) {
      this.log.error("looking for the ask of a dead letter failed", error); // e.g. a throwing getter
    }
  }

  /** @internal */
  unhandled(message: unknown, ref: ActorRef<never>): void {
    this.log.debug(`unhandled message at ${ref.path}`);
    if (this.eventStream.hasSubscribers(UnhandledMessage)) this.eventStream.publish(new UnhandledMessage(message, ref));
  }

  /** @internal */
  started(ref: ActorRef<never>): void {
    if (this.eventStream.hasSubscribers(ActorStarted)) this.eventStream.publish(new ActorStarted(ref));
  }

  /** @internal */
  stopped(ref: ActorRef<never>): void {
    if (this.eventStream.hasSubscribers(ActorStopped)) this.eventStream.publish(new ActorStopped(ref));
  }

  private guardian(name: string): ActorCell<unknown> {
    const cell = new ActorCell<unknown>(
      this,
      undefined,
      name,
      `/${name}`,
      LocalBehaviors.receive(() => LocalBehaviors.same()),
      undefined,
      this.kinds.of(`/${name}`),
    );
    cell.start();
    return cell;
  }
}

/** A rejected promise for what a `try` caught (an `Error` already, but typed unknown). */
function rejected(error: unknown): Promise<never> {
  return Promise.reject(error instanceof Error ? error : new Error(String(error)));
}
