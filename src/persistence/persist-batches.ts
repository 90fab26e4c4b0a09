/** Hears each batch a journal's group commit wrote: how many writes it held and how long it took. */
export type PersistBatchListener = (writes: number, seconds: number) => void;

const listeners = new Set<PersistBatchListener>();

/** Hears every batch any journal of this process writes (metrics); returns the function that stops it. */
export function onPersistBatch(listener: PersistBatchListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether anyone listens: without listeners a batch costs no clock read. */
export function persistBatchesHeard(): boolean {
  return listeners.size > 0;
}

export function reportPersistBatch(writes: number, seconds: number): void {
  for (const listener of listeners) {
    try {
      listener(writes, seconds);
    } catch {
      // a listener's failure is its own: the journal goes on
    }
  }
}
