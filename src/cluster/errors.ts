/** `cluster.whenUp(timeout)` ran out: the node did not become Up in time. */
export class JoinTimeoutError extends Error {
  override readonly name = "JoinTimeoutError";

  constructor(
    readonly address: string,
    readonly timeout: number,
    /** The seeds tried, each with its last refusal or error. */
    readonly seeds: readonly { readonly seed: string; readonly lastAnswer: string | undefined }[],
  ) {
    const tried =
      seeds.length === 0 ? "it has no seeds but itself" : `seeds tried: ${seeds.map((s) => `${s.seed} (${s.lastAnswer ?? "no answer yet"})`).join(", ")}`;
    super(
      `${address} was not Up within ${timeout} ms; ${tried}. Check that the seed nodes run, are reachable from this host, and use the same cluster name; or wait longer.`,
    );
  }
}

/** A seed refused this node for good (another cluster's name, or this incarnation was removed). */
export class JoinRefusedError extends Error {
  override readonly name = "JoinRefusedError";

  constructor(
    readonly seed: string,
    /** "wrong-system" or "incarnation-removed". */
    readonly reason: "wrong-system" | "incarnation-removed",
    /** What the seed said. */
    readonly detail: string,
  ) {
    const advice = reason === "wrong-system" ? "give every node the same `name`" : "restart the node (a new incarnation may join)";
    super(`${seed} refused the join: ${detail}; ${advice}`);
  }
}
