/** Hears how long each persist waited for its replicas' acks (seconds), for metrics. */
export type AckLatencyListener = (seconds: number) => void;

const listeners = new Set<AckLatencyListener>();

/** Hears every persist confirmed by replicas in this process; returns the function that stops it. */
export function onReplicationAck(listener: AckLatencyListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether anyone listens: without listeners a persist costs no clock read. */
export function replicationAcksHeard(): boolean {
  return listeners.size > 0;
}

export function reportReplicationAck(seconds: number): void {
  for (const listener of listeners) {
    try {
      listener(seconds);
    } catch {
      // a listener's failure is its own: replication goes on
    }
  }
}
