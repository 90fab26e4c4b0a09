import type { ActorRef } from "../actor/ref.js";

/**
 * What the routers of one inbound stream answered for its keys (see `receiveKeyedInline`), by key
 * index: handed back with the next message of the same key to the same recipient, so a router can skip
 * its own lookup. A router checks a route before using it; the table empties when the stream's key
 * table does (see InboundTable).
 */
export class KeyedRoutes {
  private readonly recipients: (ActorRef<unknown> | undefined)[] = [];
  private readonly routes: (object | undefined)[] = [];

  /** The route remembered for `key` at `recipient`, if any. */
  of(key: number, recipient: ActorRef<unknown>): object | undefined {
    return this.recipients[key] === recipient ? this.routes[key] : undefined;
  }

  remember(key: number, recipient: ActorRef<unknown>, route: object): void {
    this.recipients[key] = recipient;
    this.routes[key] = route;
  }

  /** The stream's key table has `size` keys now (dense arrays: indexes are set in any order). */
  grow(size: number): void {
    for (let i = this.routes.length; i < size; i++) {
      this.recipients.push(undefined);
      this.routes.push(undefined);
    }
  }

  /** The stream's key table starts over. */
  clear(): void {
    this.recipients.length = 0;
    this.routes.length = 0;
  }
}
