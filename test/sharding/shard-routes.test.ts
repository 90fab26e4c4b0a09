// A running entity handed out as a route (remoting keeps it per key of an inbound stream, see
// `receiveKeyedInline`) says whether it still runs: every way an entity stops here clears its region.
import { describe, expect, it } from "vitest";
import { ShardEnvelope } from "../../src/index.js";
import { BaseActorRef } from "../../src/actor/ref.js";
import { BufferBudget } from "../../src/sharding/buffer-budget.js";
import { Shard, type RunningEntity, type ShardHost } from "../../src/sharding/shard.js";

class EntityRef extends BaseActorRef<string> {
  readonly received: string[] = [];
  constructor(readonly path: string) {
    super();
  }
  get address(): string {
    return `casty://test@127.0.0.1:1${this.path}`;
  }
  tell(message: string): void {
    this.received.push(message);
  }
}

/** A shard whose entities "a" and "b" run; returns their running entries (the routes handed out). */
function shardWithTwo(): { shard: Shard<string>; host: ShardHost<string>; routes: RunningEntity<string>[] } {
  const host: ShardHost<string> = {
    budget: new BufferBudget(100, () => undefined),
    running: new Map(),
    startEntity: (id) => new EntityRef(`/user/region/${id}`),
    stopEntity: () => undefined,
  };
  const shard = new Shard<string>(1, host);
  shard.deliver(new ShardEnvelope("a", "1"), 0);
  shard.deliver(new ShardEnvelope("b", "1"), 0);
  const routes = ["a", "b"].map((id) => host.running.get(id)!);
  expect(routes.map((r) => r.region)).toEqual([host, host]);
  return { shard, host, routes };
}

describe("running entities as routes", () => {
  it("a handoff, a release or a drain stops every one", () => {
    for (const end of [(s: Shard<string>) => s.handOff(), (s: Shard<string>) => s.release(), (s: Shard<string>) => s.drain()]) {
      const { shard, host, routes } = shardWithTwo();
      end(shard);
      expect(routes.map((r) => r.region)).toEqual([undefined, undefined]);
      expect(host.running.size).toBe(0);
    }
  });

  it("passivation and an entity's own stop end only that one; the entity started again is a new route", () => {
    const { shard, host, routes } = shardWithTwo();
    const [a, b] = routes;
    shard.passivate("a", a.ref);
    expect([a.region, b.region]).toEqual([undefined, host]);
    shard.entityStopped("a", a.ref);
    shard.entityStopped("b", b.ref);
    expect(b.region).toBeUndefined();
    shard.deliver(new ShardEnvelope("a", "2"), 1);
    const again = host.running.get("a")!;
    expect(again).not.toBe(a);
    expect(again.region).toBe(host);
  });
});
