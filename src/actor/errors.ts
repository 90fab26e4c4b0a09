/** Thrown (as a rejection) when an ask gets no reply in time. */
export class AskTimeoutError extends Error {
  override readonly name = "AskTimeoutError";
}

/** An ask whose request became a dead letter: it fails at once instead of waiting for its timeout. */
export class AskDeliveryError extends Error {
  override readonly name = "AskDeliveryError";
  constructor(
    /** Address of the ask's target. */
    readonly target: string,
    /** Why the request was not delivered (recipient stopped, mailbox full, peer gone, …). */
    readonly reason: string,
  ) {
    super(`ask to ${target} failed: its request was not delivered (${reason})`);
  }
}

/** A spawn under a name that a live sibling already has. */
export class DuplicateActorNameError extends Error {
  override readonly name = "DuplicateActorNameError";
}

/** An actor name with characters that cannot appear in a path. */
export class InvalidActorNameError extends Error {
  override readonly name = "InvalidActorNameError";
}

/** An option outside its valid range (negative capacity, zero timeout, …). */
export class InvalidOptionError extends Error {
  override readonly name = "InvalidOptionError";
}

/** An operation on a system that has been shut down. */
export class SystemTerminatedError extends Error {
  override readonly name = "SystemTerminatedError";
}

export function requirePositive(value: number, what: string, { integer = false } = {}): number {
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new InvalidOptionError(`${what} must be a positive ${integer ? "integer" : "number"}, got ${String(value)}`);
  }
  return value;
}
