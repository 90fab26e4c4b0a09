import type { ActorContext } from "../actor/api.js";
import { Queue } from "../actor/queue.js";

/** Commands that arrive while an entity recovers or persists; beyond `capacity` they are dead letters. */
export class Stash<C> {
  private readonly queue = new Queue<C>();

  constructor(
    private readonly ctx: ActorContext<C>,
    readonly capacity: number,
  ) {}

  get length(): number {
    return this.queue.length;
  }

  add(command: C): void {
    if (this.queue.length >= this.capacity) this.ctx.system.deadLetter(command, this.ctx.self, `stash full (${this.capacity})`);
    else this.queue.push(command);
  }

  /** The oldest command; callers check `length` first. */
  take(): C {
    return this.queue.shift();
  }

  /** The entity stops or fails: what it had not handled becomes dead letters. */
  dropAll(reason: string): void {
    this.queue.drain((command) => this.ctx.system.deadLetter(command, this.ctx.self, reason));
  }
}
