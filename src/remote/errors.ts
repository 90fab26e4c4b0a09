/** The node's gRPC server could not listen on its address (port taken, host not on this machine, …). */
export class BindError extends Error {
  override readonly name = "BindError";

  constructor(
    /** The `host:port` that could not be bound. */
    readonly address: string,
    cause: unknown,
    /** What grpc-js said while trying (kept out of stderr). */
    readonly details: readonly string[] = [],
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `cannot bind ${address}: ${reason}${details.length > 0 ? ` (${details.join("; ")})` : ""}. ` +
        `Another process may listen there, or the host is not an address of this machine: choose another port (0 picks a free one) or host.`,
      { cause },
    );
  }
}
