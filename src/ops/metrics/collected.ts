import { Counter, Gauge, type Registry } from "prom-client";

/** One series of a metric read on scrape: its label values and its value. */
export type Sample<L extends string> = readonly [labels: Partial<Record<L, string>>, value: number];

interface CollectedMetric<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  /** Reads the current values from the counters the runtime keeps (called on each scrape). */
  readonly read: () => Iterable<Sample<L>>;
}

/**
 * A counter whose values are read on scrape from plain integers the runtime keeps, so that the hot
 * paths never call prom-client. Series not read this time disappear (a peer that left).
 */
export function collectedCounter<L extends string>(registry: Registry, metric: CollectedMetric<L>): void {
  const { read, labelNames = [], ...rest } = metric;
  new Counter<L>({
    ...rest,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) if (value > 0) this.inc(labels, value);
    },
  });
}

/** A gauge read on scrape (see `collectedCounter`). */
export function collectedGauge<L extends string>(registry: Registry, metric: CollectedMetric<L>): void {
  const { read, labelNames = [], ...rest } = metric;
  new Gauge<L>({
    ...rest,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}
