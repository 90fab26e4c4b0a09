/** Another writer appended to the entity first: its highest sequence number is not the expected one. */
export class JournalConflictError extends Error {
  override readonly name = "JournalConflictError";

  constructor(
    readonly entityId: string,
    readonly expectedSeqNr: number,
    readonly actualSeqNr: number,
  ) {
    super(`entity ${JSON.stringify(entityId)}: expected sequence number ${expectedSeqNr}, the journal has ${actualSeqNr} (another writer appended)`);
  }
}

/** The journal was closed. */
export class JournalClosedError extends Error {
  override readonly name = "JournalClosedError";
}

/** A stored row does not decode (or breaks the sequence): that entity cannot recover. */
export class JournalCorruptError extends Error {
  override readonly name = "JournalCorruptError";
}

/** An entity could not recover its state from the journal; it fails (supervision decides what next). */
export class RecoveryFailedError extends Error {
  override readonly name = "RecoveryFailedError";

  constructor(
    readonly entityId: string,
    cause: unknown,
  ) {
    super(`entity ${JSON.stringify(entityId)}: recovery failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Writing an entity's events failed: nothing was applied and the entity fails. */
export class PersistFailedError extends Error {
  override readonly name = "PersistFailedError";

  constructor(
    readonly entityId: string,
    cause: unknown,
  ) {
    super(`entity ${JSON.stringify(entityId)}: persisting failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A rejected promise for something caught (journal calls reject, never throw). */
export function rejected(error: unknown): Promise<never> {
  return Promise.reject(error instanceof Error ? error : new Error(String(error)));
}
