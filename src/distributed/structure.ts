import { LocalBehaviors, type Behavior } from "../actor/behavior.js";
import type { ActorContext } from "../actor/api.js";
import type { ActorRef } from "../actor/ref.js";
import { persisted } from "../persistence/effect.js";
import { eventSourced } from "../persistence/event-sourced.js";
import type { EventJournal } from "../persistence/journal.js";

/** A request to one entity of a structure: plain data, so it crosses nodes without registration. */
export interface Command {
  readonly op: string;
  /** The operation's argument (an amount, an encoded value), if any. */
  readonly arg?: unknown;
  readonly replyTo: ActorRef<unknown>;
}

/** What a command does: the events it causes (applied in order) and the answer for its sender. */
export interface Decision<E> {
  readonly events: readonly E[];
  readonly reply: unknown;
  /** The events leave the initial state: the journal then deletes the entity's events and snapshots (before the reply). */
  readonly erase?: boolean;
}

/** An operation the structure does not have (a peer of another version): logged, left unanswered, the entity keeps running. */
export function unknownOperation(ctx: ActorContext<Command>, kind: string, command: Command): Decision<never> {
  ctx.log.warn(`a ${kind} has no operation ${JSON.stringify(command.op)}; ignored`);
  return LATER;
}

/** Answered later by the entity itself (it piped a promise to itself): nothing to write, no reply now. */
export const LATER: Decision<never> = { events: [], reply: undefined };

/**
 * One kind of structure as pure values: its state, how an event changes it, and what a command means
 * for a state. `decide` answers a promise only when it first needs another entity (a map key tells
 * its index); the entity takes no other command meanwhile.
 */
export interface Structure<S, E> {
  readonly initial: S;
  apply(state: S, event: E): S;
  decide(ctx: ActorContext<Command>, state: S, command: Command): Decision<E> | Promise<Decision<E>>;
}

function applyAll<S, E>(structure: Structure<S, E>, state: S, events: readonly E[]): S {
  let next = state;
  for (const event of events) next = structure.apply(next, event);
  return next;
}

/** The entity `entityId` of `structure`: its state in memory, or (with a journal) the fold of its events. */
export function structureEntity<S, E>(structure: Structure<S, E>, entityId: string, journal: EventJournal | undefined): Behavior<Command> {
  return journal === undefined ? inMemory(structure) : persistent(structure, entityId, journal);
}

function inMemory<S, E>(structure: Structure<S, E>): Behavior<Command> {
  return LocalBehaviors.setup<Command>(() => {
    let state = structure.initial;
    const finish = (command: Command, decision: Decision<E>): Behavior<Command> => {
      if (decision === LATER) return LocalBehaviors.same();
      if (decision.events.length > 0) state = applyAll(structure, state, decision.events);
      command.replyTo.tell(decision.reply);
      return LocalBehaviors.same();
    };
    return LocalBehaviors.receive((ctx, command) => {
      const decision = structure.decide(ctx, state, command);
      return decision instanceof Promise ? decision.then((d) => finish(command, d)) : finish(command, decision);
    });
  });
}

/**
 * Deletes everything the journal holds of the entity (it keeps only the highest sequence number, so
 * that the next incarnation continues after it); queued before any later write of the entity.
 */
function erase(ctx: ActorContext<Command>, journal: EventJournal, entityId: string): Promise<void> {
  return Promise.all([journal.deleteEvents(entityId, Number.MAX_SAFE_INTEGER), journal.deleteSnapshots(entityId, Number.MAX_SAFE_INTEGER)]).then(
    () => undefined,
    (error: unknown) => ctx.log.warn(`${entityId}: its state is reset, but its events stay in the journal: ${String(error)}`),
  );
}

function persistent<S, E>(structure: Structure<S, E>, entityId: string, journal: EventJournal): Behavior<Command> {
  const effect = (ctx: ActorContext<Command>, command: Command, decision: Decision<E>) => {
    if (decision === LATER) return LocalBehaviors.same<Command>();
    if (decision.events.length === 0) {
      command.replyTo.tell(decision.reply);
      return LocalBehaviors.same<Command>();
    }
    return persisted<E, S, Command>(decision.events, () => {
      if (decision.erase !== true) command.replyTo.tell(decision.reply);
      else void erase(ctx, journal, entityId).then(() => command.replyTo.tell(decision.reply));
    });
  };
  return eventSourced<Command, E, S>({
    entityId,
    journal,
    initialState: structure.initial,
    onEvent: (state, event) => structure.apply(state, event),
    onCommand: (ctx, state, command) => {
      const decision = structure.decide(ctx, state, command);
      return decision instanceof Promise ? decision.then((d) => effect(ctx, command, d)) : effect(ctx, command, decision);
    },
  });
}
