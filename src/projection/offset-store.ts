import { rejected } from "../persistence/errors.js";
import type { Offset } from "../persistence/read-journal.js";

/**
 * Where a projection keeps how far it got. `Tx` is what its handler receives to write in the same
 * transaction as the offset (a database connection), `undefined` for a store without transactions.
 */
export interface OffsetStore<Tx = undefined> {
  /** The offset stored for `projection`; undefined before its first event. */
  load(projection: string): Promise<Offset | undefined>;
  /**
   * Runs `handle`, then stores `offset` for `projection`. A database store runs both in one
   * transaction (the handler's writes through `tx` commit with the offset, or neither does).
   */
  handleAndSave(projection: string, offset: Offset, handle: (tx: Tx) => void | Promise<void>): Promise<void>;
}

/** Offsets in this process (for tests and development): at-least-once across a restart of the projection, not of the process. */
export class InMemoryOffsetStore implements OffsetStore {
  private readonly offsets = new Map<string, Offset>();

  load(projection: string): Promise<Offset | undefined> {
    return Promise.resolve(this.offsets.get(projection));
  }

  handleAndSave(projection: string, offset: Offset, handle: (tx: undefined) => void | Promise<void>): Promise<void> {
    let handled: void | Promise<void>;
    try {
      handled = handle(undefined);
    } catch (error) {
      return rejected(error);
    }
    if (handled instanceof Promise) return handled.then(() => void this.offsets.set(projection, offset));
    this.offsets.set(projection, offset); // a sync handler costs no extra turn
    return Promise.resolve();
  }
}
