/** Listeners of a probe that the runtime reports to (metrics); a throwing listener does not stop the others. */
export class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();

  /** Adds `listener`; returns the function that removes it. */
  add(listener: (...args: A) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  /** Whether anyone listens: without listeners the probe measures nothing (no clock reads). */
  get heard(): boolean {
    return this.set.size > 0;
  }

  report(...args: A): void {
    for (const listener of this.set) {
      try {
        listener(...args);
      } catch {
        // a listener's failure is its own: the reporting code goes on
      }
    }
  }
}
