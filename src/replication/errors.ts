/** A persist's events were not acknowledged by enough replicas within `ackTimeout`. */
export class ReplicationTimeoutError extends Error {
  override readonly name = "ReplicationTimeoutError";
}
