import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, Behaviors, type ActorRef, type ExtensionId } from "../../src/index.js";

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

class Counter {
  count = 0;
  constructor(readonly systemName: string) {}
}

function counterId(key = "test.Counter"): ExtensionId<Counter> & { created: number } {
  return {
    key,
    created: 0,
    create(s) {
      this.created++;
      return new Counter(s.name);
    },
  };
}

describe("extensions", () => {
  it("creates an extension once, on first use, per system", async () => {
    const id = counterId();
    system = new ActorSystem({ name: "ext" });
    expect(system.findExtension(id)).toBeUndefined();
    const first = system.extension(id);
    expect(first.systemName).toBe("ext");
    expect(system.extension(id)).toBe(first);
    expect(system.findExtension(id)).toBe(first);
    expect(id.created).toBe(1);
    const other = new ActorSystem({ name: "other" });
    expect(other.extension(id)).not.toBe(first);
    expect(id.created).toBe(2);
    await other.shutdown();
  });

  it("keys by the id's key, so two ids with the same key share the instance", () => {
    system = new ActorSystem({ name: "keys" });
    const a = system.extension(counterId("same"));
    expect(system.extension(counterId("same"))).toBe(a);
    expect(system.extension(counterId("different"))).not.toBe(a);
  });

  it("installs a pre-built instance, and refuses a second one", () => {
    const id = counterId();
    system = new ActorSystem({ name: "reg" });
    const built = new Counter("prebuilt");
    system.registerExtension(id, built);
    expect(system.extension(id)).toBe(built);
    expect(id.created).toBe(0);
    expect(() => system!.registerExtension(id, new Counter("again"))).toThrow(/already registered/);
  });

  it("throws what create throws and stores nothing, so a later lookup tries again", () => {
    system = new ActorSystem({ name: "fails" });
    let attempts = 0;
    const id: ExtensionId<string> = {
      key: "test.Flaky",
      create: () => {
        if (attempts++ === 0) throw new Error("not yet");
        return "ok";
      },
    };
    expect(() => system!.extension(id)).toThrow("not yet");
    expect(system.findExtension(id)).toBeUndefined();
    expect(system.extension(id)).toBe("ok");
  });

  it("is reachable from an actor through ctx.system", async () => {
    const id = counterId();
    system = new ActorSystem({ name: "from-actor" });
    const ref = system.spawn(
      Behaviors.receive<ActorRef<number>>((ctx, replyTo) => {
        replyTo.tell(++ctx.system.extension(id).count);
        return Behaviors.same();
      }),
    );
    await expect(system.ask(ref, (replyTo: ActorRef<number>) => replyTo)).resolves.toBe(1);
    expect(system.extension(id).count).toBe(1);
  });

  it("reports an extension that needs itself while being created", () => {
    system = new ActorSystem({ name: "cycle" });
    const id: ExtensionId<number> = { key: "test.Cycle", create: (s) => s.extension(id) + 1 };
    expect(() => system!.extension(id)).toThrow(/needs itself/);
  });
});
