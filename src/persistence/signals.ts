import type { SnapshotEntry } from "./journal.js";

/**
 * What an entity tells itself when a journal call completes. Each carries the incarnation that started
 * the call, so that a late answer to an incarnation that has since restarted is ignored.
 */
export abstract class Signal {
  constructor(readonly owner: object) {}
}

export class SnapshotLoaded extends Signal {
  constructor(
    owner: object,
    readonly snapshot: SnapshotEntry | undefined,
  ) {
    super(owner);
  }
}

export class EventsReplayed extends Signal {
  constructor(
    owner: object,
    readonly state: unknown,
    readonly seqNr: number,
  ) {
    super(owner);
  }
}

export class RecoveryFailed extends Signal {
  constructor(
    owner: object,
    readonly error: unknown,
  ) {
    super(owner);
  }
}

export class WriteSucceeded extends Signal {}

export class WriteFailed extends Signal {
  constructor(
    owner: object,
    readonly error: unknown,
  ) {
    super(owner);
  }
}
