import * as grpc from "@grpc/grpc-js";

/** One call of a served method as it ended. */
export interface ServedCall {
  /** The method's path, e.g. "/bank.v1.AccountService/GetBalance". */
  readonly method: string;
  readonly code: grpc.status;
  readonly durationMs: number;
}

/** How many calls of `method` ended with `code`. */
export interface CallCount {
  readonly method: string;
  readonly code: grpc.status;
  readonly count: number;
}

/** Every status code, 0 (OK) to 16 (UNAUTHENTICATED), in order. */
export const STATUS_CODES: readonly grpc.status[] = Object.values(grpc.status).filter((value): value is grpc.status => typeof value === "number");

/**
 * Calls per method and status code of the node's own services, and listeners told of each call as it
 * ends (metrics read them). A method's counters are one array, so counting a call allocates nothing.
 */
export class CallStats {
  private readonly counts = new Map<string, number[]>();
  private readonly listeners = new Set<(call: ServedCall) => void>();

  constructor(private readonly warn: (message: string) => void) {}

  /** Counts a method from the moment it is served, so it is listed with zero calls. */
  track(method: string): void {
    if (!this.counts.has(method)) this.counts.set(method, new Array<number>(STATUS_CODES.length).fill(0));
  }

  ended(method: string, code: grpc.status, durationMs: number): void {
    const counts = this.counts.get(method);
    if (counts?.[code] !== undefined) counts[code]++;
    if (this.listeners.size === 0) return;
    const call: ServedCall = { method, code, durationMs };
    for (const listener of this.listeners) {
      try {
        listener(call);
      } catch (error) {
        this.warn(`a call listener threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Every (method, code) pair with at least one call. */
  snapshot(): CallCount[] {
    const result: CallCount[] = [];
    for (const [method, counts] of this.counts) {
      for (const code of STATUS_CODES) {
        const count = counts[code];
        if (count > 0) result.push({ method, code, count });
      }
    }
    return result;
  }

  get methods(): readonly string[] {
    return [...this.counts.keys()];
  }

  listen(listener: (call: ServedCall) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
