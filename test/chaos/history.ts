// A history of operations as Jepsen records them: each operation is invoked, then completes as ok
// (acknowledged), fail (definitely not applied) or timeout (unknown: it may or may not have been applied).

export type Outcome = "ok" | "fail" | "timeout";

/** One operation: what was asked of which key, when, and how it ended. */
export interface Operation {
  readonly id: number;
  /** Who issued it: "gateway", "node-1", … */
  readonly process: string;
  /** "add" puts `value` into `key`'s collection, "read" returns the collection, others as the model says. */
  readonly f: string;
  readonly key: string;
  readonly value?: string;
  readonly invokedAt: number;
  readonly outcome?: Outcome;
  readonly completedAt?: number;
  /** A read's answer: the elements of the collection, in order, repeats kept. */
  readonly result?: readonly string[];
  readonly error?: string;
}

/** Records operations against a clock; completions after `close()` are ignored. */
export class History {
  private readonly ops: Operation[] = [];

  constructor(private readonly now: () => number = () => Date.now()) {}

  invoke(process: string, f: string, key: string, value?: string): (outcome: Outcome, detail?: { result?: readonly string[]; error?: string }) => void {
    const id = this.ops.length;
    this.ops.push({ id, process, f, key, value, invokedAt: this.now() });
    return (outcome, detail) => {
      if (this.ops[id].outcome !== undefined) return;
      this.ops[id] = { ...this.ops[id], outcome, completedAt: this.now(), ...detail };
    };
  }

  /** Runs `call` as one operation: ok with its result, fail when `definite(error)`, timeout otherwise. */
  async record(
    process: string,
    f: string,
    key: string,
    value: string | undefined,
    call: () => Promise<readonly string[] | void>,
    definite: (error: unknown) => boolean = () => false,
  ): Promise<void> {
    const complete = this.invoke(process, f, key, value);
    try {
      const result = await call();
      complete("ok", result === undefined ? {} : { result });
    } catch (error) {
      complete(definite(error) ? "fail" : "timeout", { error: error instanceof Error ? error.message : String(error) });
    }
  }

  get operations(): readonly Operation[] {
    return this.ops;
  }
}

/** Counts for the report: attempted, acknowledged, failed, unknown. */
export function tally(ops: readonly Operation[]): { attempted: number; ok: number; fail: number; timeout: number } {
  const count = (o: Outcome) => ops.filter((op) => op.outcome === o).length;
  return { attempted: ops.length, ok: count("ok"), fail: count("fail"), timeout: ops.length - count("ok") - count("fail") };
}
