/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- behaviours and cells are told apart by tag or ref, then narrowed to the class that made them */
import type { ActorRef, Behavior, SpawnOptions } from "../api.js";
import { describeNonBehavior, isBehavior } from "../behavior.js";
import { DuplicateActorNameError, InvalidOptionError } from "../errors.js";
import { LocalActorRef } from "../local-ref.js";
import { validateActorName } from "../names.js";
import { STOPPING, TERMINATED, type CellCore, type ParentCell } from "./core.js";
import { DeathWatchCell } from "./death-watch.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCell = CellCore<any>;

/** The children of an actor: spawning them, stopping them, and waiting until all have stopped. */
export abstract class ChildrenCell<M> extends DeathWatchCell<M> implements ParentCell {
  private childCells: Map<string, AnyCell> | undefined;

  /** Builds (does not start) the cell of a new child. */
  protected abstract createChild<C>(behavior: Behavior<C>, name: string, path: string, options: SpawnOptions | undefined): CellCore<C>;
  /** A child failed with `Directive.escalate`. */
  abstract escalated(error: unknown): void;

  get parent(): ActorRef<never> | undefined {
    return this.parentCell?.self;
  }

  get children(): readonly ActorRef<never>[] {
    return this.childCells === undefined ? [] : [...this.childCells.values()].map((c) => c.self);
  }

  child(name: string): ActorRef<never> | undefined {
    return this.childCells?.get(name)?.self;
  }

  spawn<C>(behavior: Behavior<C>, name?: string, options?: SpawnOptions): ActorRef<C> {
    this.system.ensureRunning();
    if (this.state >= STOPPING) throw new Error(`cannot spawn a child of ${this.self.path}: it is stopping`);
    const candidate: unknown = behavior; // callers from plain JS may pass anything
    if (!isBehavior(candidate)) throw new InvalidOptionError(`spawn needs a Behavior, got ${describeNonBehavior(candidate)}`);
    const childName = name === undefined ? this.system.nextName() : validateActorName(name);
    const children = (this.childCells ??= new Map());
    // a generated name ("$" and a counter) is new: no name a caller gives starts with "$"
    if (name !== undefined && children.has(childName)) {
      throw new DuplicateActorNameError(`an actor named "${childName}" already exists under ${this.self.path}`);
    }
    const path = this.self.path === "/" ? `/${childName}` : `${this.self.path}/${childName}`;
    const cell = this.createChild(behavior, childName, path, options);
    children.set(childName, cell);
    cell.start();
    return cell.self;
  }

  /** @internal Calls `visit` for every actor below this one (children before their children). */
  visitDescendants(visit: (cell: AnyCell) => void): void {
    if (this.childCells === undefined) return;
    for (const child of this.childCells.values()) {
      visit(child);
      if (child instanceof ChildrenCell) child.visitDescendants(visit);
    }
  }

  stop(child: ActorRef<never>): void {
    // the ref's cell, not the name: a stopped child's ref stays valid after a sibling took its name
    const cell = child instanceof LocalActorRef ? (child.cell as AnyCell) : undefined;
    if (cell === undefined || cell.parentCell !== this) {
      throw new Error(`${child.path} is not a child of ${this.self.path}: an actor stops only its children (return Behaviors.stopped() to stop itself)`);
    }
    cell.stopActor();
  }

  /** @internal */
  childTerminated(child: { readonly name: string }): void {
    const children = this.childCells;
    if (children?.get(child.name) !== child) return;
    children.delete(child.name);
    const next = this.extras?.afterChildren;
    if (children.size === 0 && next !== undefined) {
      this.extras!.afterChildren = undefined;
      next();
    }
  }

  /** @internal Paths of the actors below (or at) this one that hold up its stop: alive, with no live children. */
  holdingUp(into: string[], limit: number): string[] {
    if (this.state === TERMINATED || into.length >= limit) return into;
    if (this.childCells === undefined || this.childCells.size === 0) into.push(this.self.path);
    else for (const child of this.childCells.values()) child.holdingUp(into, limit);
    return into;
  }

  /** Stops every child, then runs `next` (at once when there are none). */
  protected afterChildrenStopped(next: () => void): void {
    if (this.childCells === undefined || this.childCells.size === 0) {
      next();
      return;
    }
    this.more().afterChildren = next;
    for (const child of [...this.childCells.values()]) child.stopActor();
  }
}
