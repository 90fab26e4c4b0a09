/**
 * Where an event stands in a tag's stream. Opaque to users: compare and store it, never compute with
 * it. Totally ordered per tag; `0` (or none) is before the first event.
 */
export type Offset = number;

/** One event as the read side sees it. */
export interface EventEnvelope {
  readonly entityId: string;
  readonly seqNr: number;
  readonly event: unknown;
  /** In a tag query, the event's place in that tag's stream; in an entity query, its sequence number. */
  readonly offset: Offset;
  readonly timestamp: number;
  readonly tags: readonly string[];
}

/** The queries of the read side (as Akka Persistence Query), on every journal casty ships. */
export interface ReadJournal {
  /** The events tagged `tag` after `offset` (exclusive; none: from the start), in offset order; ends at the last one stored. */
  currentEventsByTag(tag: string, offset?: Offset): AsyncIterable<EventEnvelope>;
  /**
   * As `currentEventsByTag`, then follows new events (within the journal's poll interval, at once for
   * appends through this journal object); ends when the iteration is broken or the journal closes.
   */
  eventsByTag(tag: string, offset?: Offset): AsyncIterable<EventEnvelope>;
  /**
   * As `eventsByTag`, in batches (what one read found, never empty): one step per batch for a consumer
   * of many events. Aborting `signal` ends it, also while it waits for new events.
   */
  eventsByTagBatched(tag: string, offset?: Offset, signal?: AbortSignal): AsyncIterable<readonly EventEnvelope[]>;
  /** The events of one entity from `fromSeqNr` (default 1), in order; ends at its last one. */
  currentEventsByEntityId(entityId: string, fromSeqNr?: number): AsyncIterable<EventEnvelope>;
  /** Every entity with events, each once, in string order. */
  currentEntityIds(): AsyncIterable<string>;
}
