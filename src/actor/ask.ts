import type { AskOptions } from "./api.js";
import { AskDeliveryError, AskTimeoutError, requirePositive, SystemTerminatedError } from "./errors.js";
import { Deadlines } from "./deadlines.js";
import { BaseActorRef, type ActorRef } from "./ref.js";
import type { Scheduler } from "./scheduler.js";
import { wrappedMessage } from "./wrapped.js";

export const DEFAULT_ASK_TIMEOUT = 5000;
/** Ask refs live at `/temp/$` and their id in base 36. */
const ASK_PATH_PREFIX = "/temp/$";

/** Where a promise ref sends what it cannot use (a late or second reply). */
export interface AskHost {
  readonly addressPrefix: string;
  deadLetter(message: unknown, recipient: ActorRef<never>, reason?: string): void;
}

/** The temporary reply-to ref of one ask: a promise, not an actor (no cell, no mailbox). */
export class PromiseRef<T> extends BaseActorRef<T> {
  settled = false;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  readonly promise: Promise<T>;

  constructor(
    private readonly registry: AskRegistry,
    readonly id: number,
    readonly deadline: number,
    readonly timeout: number,
    readonly target: ActorRef<never>,
  ) {
    super();
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  private cachedPath: string | undefined;

  get path(): string {
    return (this.cachedPath ??= ASK_PATH_PREFIX + this.id.toString(36));
  }

  get address(): string {
    return this.registry.host.addressPrefix + this.path;
  }

  /** Whether this ask belongs to the system behind `host`. */
  isOf(host: AskHost): boolean {
    return this.registry.host === host;
  }

  /** Makes this ref reachable by path in its own system, for replies arriving from other nodes. */
  expose(): void {
    this.registry.expose(this as PromiseRef<unknown>);
  }

  /** Rejects the ask now: its request became a dead letter at `recipient`. */
  undelivered(recipient: ActorRef<never> | undefined, reason: string): void {
    if (this.settled) return;
    this.settled = true;
    const where = recipient === undefined || recipient.equals(this.target) ? reason : `${reason}, at ${recipient.address}`;
    this.reject(new AskDeliveryError(this.target.address, where));
    this.registry.settled(this as PromiseRef<unknown>);
  }

  tell(message: T): boolean {
    if (this.settled) {
      this.registry.host.deadLetter(message, this, "ask already completed");
      return false;
    }
    this.settled = true;
    this.resolve(message);
    this.registry.settled(this as PromiseRef<unknown>);
    return true;
  }
}

/** Wrappers looked through for a reply ref (an envelope in an envelope is as deep as it gets). */
const MAX_WRAPPING = 4;

/**
 * The reply ref of class `kind` a message carries: the message is that ref, has it as `replyTo`, or
 * wraps such a message (`wrappedMessage`). Cold path: runs only for dead letters.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function replyRefOf<R>(message: unknown, kind: abstract new (...args: any[]) => R): R | undefined {
  let current = message;
  for (let depth = 0; depth <= MAX_WRAPPING; depth++) {
    if (current instanceof kind) return current;
    if (typeof current !== "object" || current === null) return undefined;
    const replyTo = (current as { replyTo?: unknown }).replyTo;
    if (replyTo instanceof kind) return replyTo;
    if (!(wrappedMessage in current)) return undefined;
    current = current[wrappedMessage];
  }
  return undefined;
}

/** The pending ask a dead-lettered message is the request of. */
export function askOfRequest(message: unknown): PromiseRef<unknown> | undefined {
  const ask = replyRefOf(message, PromiseRef);
  return ask === undefined || ask.settled ? undefined : ask;
}

/** The id in an ask's path (`/temp/$` and the id in base 36), or -1. */
function askIdOf(path: string): number {
  if (!path.startsWith(ASK_PATH_PREFIX) || path.length === ASK_PATH_PREFIX.length || path.length > ASK_PATH_PREFIX.length + 10) return -1;
  let id = 0;
  for (let i = ASK_PATH_PREFIX.length; i < path.length; i++) {
    const code = path.charCodeAt(i);
    const digit = code >= 0x30 && code <= 0x39 ? code - 0x30 : code >= 0x61 && code <= 0x7a ? code - 0x57 : -1;
    if (digit < 0) return -1;
    id = id * 36 + digit;
  }
  return id;
}

/**
 * Tracks pending asks. Instead of a timer per ask, asks with the same timeout share one queue
 * (deadlines grow in insertion order) and one timer armed for the oldest (see Deadlines).
 */
export class AskRegistry {
  private readonly deadlines: Deadlines<PromiseRef<unknown>>;
  /** By id: a number hashes and compares at once, a fresh path string is hashed first. */
  private readonly exposed = new Map<number, PromiseRef<unknown>>();
  private nextId = 0;

  constructor(
    readonly host: AskHost,
    private readonly scheduler: Scheduler,
  ) {
    this.deadlines = new Deadlines(scheduler, (ref) => this.expire(ref));
  }

  create<T>(target: ActorRef<never>, options: AskOptions | undefined): PromiseRef<T> {
    const timeout = options?.timeout === undefined ? DEFAULT_ASK_TIMEOUT : requirePositive(options.timeout, "ask timeout");
    const ref = new PromiseRef<T>(this, ++this.nextId, this.scheduler.now() + timeout, timeout, target);
    this.deadlines.add(timeout, ref as PromiseRef<unknown>);
    return ref;
  }

  /** @internal */
  expose(ref: PromiseRef<unknown>): void {
    if (!ref.settled) this.exposed.set(ref.id, ref);
  }

  lookup(path: string): PromiseRef<unknown> | undefined {
    const ref = this.exposed.get(askIdOf(path));
    return ref !== undefined && ref.path === path ? ref : undefined; // "/temp/$01" is not "/temp/$1"
  }

  /** Asks not yet answered nor expired (plus answered ones still queued behind an older pending ask). */
  get pendingCount(): number {
    return this.deadlines.size;
  }

  /** @internal */
  settled(ref: PromiseRef<unknown>): void {
    if (this.exposed.size > 0) this.exposed.delete(ref.id);
    this.deadlines.settled(ref.timeout, ref);
  }

  /** Fails every pending ask (system shutdown) and releases the timers. */
  failAll(reason: string): void {
    for (const ref of this.deadlines.clear()) {
      ref.settled = true;
      ref.reject(new SystemTerminatedError(reason));
    }
    this.exposed.clear();
  }

  private expire(ref: PromiseRef<unknown>): void {
    ref.settled = true;
    this.exposed.delete(ref.id);
    ref.reject(new AskTimeoutError(`ask to ${ref.target.address} timed out after ${ref.timeout} ms`));
  }
}
