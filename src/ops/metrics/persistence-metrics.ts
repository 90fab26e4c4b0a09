import { Histogram, type Registry } from "prom-client";
import { persistBatches } from "../../persistence/persist-batches.js";

/** Write latency and size of the journals' group-commit batches in this process; returns the function that stops listening. */
export function persistenceMetrics(registry: Registry): () => void {
  const latency = new Histogram({
    name: "casty_persist_batch_duration_seconds",
    help: "Time a journal took to write one group-commit batch (all journals of this process)",
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const size = new Histogram({
    name: "casty_persist_batch_writes",
    help: "Persist calls written together in one group-commit batch (all journals of this process)",
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
    registers: [registry],
  });
  return persistBatches.add((writes, seconds) => {
    latency.observe(seconds);
    size.observe(writes);
  });
}
