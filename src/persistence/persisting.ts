import { LocalBehaviors, type Behavior } from "../actor/behavior.js";
import { SpanKind, startSpan, traced } from "../actor/tracing.js";
import type { PersistEffect } from "./effect.js";
import type { Incarnation, Outcome } from "./incarnation.js";
import { ShardFencedError } from "./persist-hook.js";

/**
 * Writes the events of `effect` after `seqNr`, then applies them, runs `then(newState)` and continues
 * with `resume` (the running phase) in the new state; a failed write applies nothing. The actor takes
 * no message meanwhile: later commands wait in its mailbox, and a stop (passivation, a shard handing
 * off) waits for the write, so the next incarnation, wherever it starts, recovers it.
 */
export async function persisting<C, E, S>(
  inc: Incarnation<C, E, S>,
  state: S,
  seqNr: number,
  command: C,
  effect: PersistEffect<C, E, S>,
  resume: (inc: Incarnation<C, E, S>, state: S, seqNr: number) => Behavior<C>,
): Promise<Behavior<C>> {
  const { events } = effect;
  const { tagger } = inc.options;
  const tags = tagger && events.map((e) => tagger(e));
  // a command that came with a trace context: its write (and the replicas' acks) is a span of that trace
  const span = traced.current === undefined ? undefined : startSpan("casty persist", SpanKind.INTERNAL, { "casty.entity_id": inc.entityId });
  try {
    await inc.options.journal.append(inc.entityId, events, seqNr, { writerUid: inc.writerUid, tags });
  } catch (error) {
    span?.end();
    return inc.writeFailed(error);
  }
  let confirmed = true;
  const written = inc.hook?.written({
    entity: inc.ctx.self,
    entityId: inc.entityId,
    fromSeqNr: seqNr,
    events,
    tags,
    writerUid: inc.writerUid,
    timestamp: inc.ctx.system.scheduler.now(),
  });
  if (written !== undefined) {
    try {
      await written;
    } catch (error) {
      // the events are in this node's journal (recovery would apply them), but the persist is no success
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof ShardFencedError) {
        inc.ctx.log.warn(`entity ${JSON.stringify(inc.entityId)}: ${reason}: stopping this incarnation`);
        return LocalBehaviors.stopped();
      }
      inc.ctx.log.warn(
        `entity ${JSON.stringify(inc.entityId)}: events ${seqNr + 1}..${seqNr + events.length} not confirmed (${reason}): the command gets no then`,
      );
      confirmed = false;
    }
  }
  span?.end();
  let next = state;
  for (const event of events) next = inc.options.onEvent(next, event);
  const toSeqNr = seqNr + events.length;
  inc.maybeSnapshot(seqNr, toSeqNr, next);
  if (!confirmed) return resume(inc, next, toSeqNr);
  const outcome = inc.outcome(command, effect.andThen?.(next)) as Outcome<C>;
  return outcome ?? resume(inc, next, toSeqNr);
}
