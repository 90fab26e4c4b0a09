/** Where a joining node finds its seeds, and whether it may form a new cluster itself. */
export interface SeedSource {
  /** Seed addresses ("host:port") known now, this node's own included when listed. */
  seeds(): readonly string[];
  /** Form a cluster without trying anyone (no seeds but this node). */
  formsAtOnce(self: string): boolean;
  /** This node may form a new cluster once no seed answered within the join patience. */
  mayForm(self: string, now: number): boolean;
  /** A few words for logs and errors, e.g. where the seeds come from. */
  describe(): string;
  start(): void;
  stop(): void;
}

/** The `seedNodes` option: the first seed, when it is this node, forms the cluster. */
export function staticSeeds(seedNodes: readonly string[]): SeedSource {
  return {
    seeds: () => seedNodes,
    formsAtOnce: (self) => seedNodes.every((seed) => seed === self),
    mayForm: (self) => seedNodes[0] === self,
    describe: () => "seedNodes",
    start: () => {},
    stop: () => {},
  };
}
