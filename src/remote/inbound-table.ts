import { KeyedRoutes } from "./keyed-routes.js";

/**
 * What an inbound stream keeps across its batches: its string table (see MessageBatch.strings), empty
 * when the stream opens, and the keyed routes by the table's indexes (emptied with it).
 */
export class InboundTable {
  readonly keys: string[] = [];
  readonly routes = new KeyedRoutes();

  /** A batch's `reset_strings`, then the strings it adds. */
  update(reset: boolean, added: readonly string[] | undefined): void {
    if (reset) {
      this.keys.length = 0;
      this.routes.clear();
    }
    if (added === undefined) return;
    for (const key of added) this.keys.push(key);
    this.routes.grow(this.keys.length);
  }
}
