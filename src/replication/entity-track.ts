import type { EventsPushed } from "../../gen/casty/v1/replication.js";
import type { EventJournal } from "../persistence/journal.js";

/** A persist waiting for its acks: `seqNr` is its last event. */
export interface AckWait {
  readonly track: EntityTrack;
  readonly seqNr: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  /** When it fails with a timeout (ms), unless settled first (see Deadlines). */
  readonly deadline: number;
  settled: boolean;
  /** When it began waiting (ms), when ack latency is measured. */
  readonly since: number | undefined;
}

/** What this node knows of one entity's replication, as its primary or as a replica. */
export class EntityTrack {
  /** Highest sequence number in this node's journal; -1 until read. */
  held = -1;
  /** The journal work on this entity (appends of a replica, a pull), one after the other. */
  chain: Promise<void> = Promise.resolve();
  journal: EventJournal | undefined;
  /** The entity's key in that journal (its persistence id, which its behaviour names). */
  persistenceId = "";
  /** Primary: the highest sequence number each replica (by address) acknowledged. */
  readonly acked = new Map<string, number>();
  /** Primary: persists waiting for acks, in sequence order. */
  readonly waits: AckWait[] = [];
  /** Replica: pushes that came after a gap, kept until the catch-up fills it. */
  readonly early: EventsPushed[] = [];
  /** Replica: where the last catch-up request started (not asked twice for one gap). */
  catchUpFrom = 0;

  constructor(
    /** The sharded entity id (what frames name). */
    readonly entityId: string,
    readonly shard: number,
  ) {}

  /** How many of `replicas` hold the events up to `seqNr`. */
  ackCount(replicas: readonly { readonly address: string }[], seqNr: number): number {
    let count = 0;
    for (const r of replicas) if ((this.acked.get(r.address) ?? 0) >= seqNr) count++;
    return count;
  }

  /** Events persisted here that the slowest of `replicas` has not acknowledged. */
  lag(replicas: readonly { readonly address: string }[]): number {
    let lag = 0;
    for (const r of replicas) lag = Math.max(lag, this.held - (this.acked.get(r.address) ?? 0));
    return Math.max(lag, 0);
  }
}
