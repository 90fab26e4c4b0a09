// The kinds actors count under (metrics and the live page read them): a top-level actor and everything
// below it, anonymous top-level actors together; and the names spawn gives or refuses.
import { afterEach, describe, expect, it } from "vitest";
import { ActorSystem, Behaviors, DuplicateActorNameError } from "../../src/index.js";
import { kindOf } from "../../src/actor/actor-kinds.js";

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

describe("kindOf", () => {
  it.each([
    ["/user/accounts", "/user/accounts"],
    ["/user/accounts/entity-1/child", "/user/accounts"],
    ["/user/$a", "/user/$anonymous"],
    ["/user/$b/child", "/user/$anonymous"],
    ["/system/$c", "/system/$anonymous"],
    ["/system/receptionist/x", "/system/receptionist"],
    ["/temp/$1", "/temp"],
    ["/deadLetters", "/deadLetters"],
    ["/users/x/y", "/users"],
    ["/systems/x", "/systems"],
  ])("%s counts as %s", (path, kind) => {
    expect(kindOf(path)).toBe(kind);
  });
});

describe("spawn names", () => {
  const idle = Behaviors.receive<string>(() => Behaviors.same());

  it("anonymous top-level actors get distinct names and count as one kind", () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    const refs = Array.from({ length: 100 }, () => system!.spawn(idle));
    expect(new Set(refs.map((ref) => ref.path)).size).toBe(100);
    refs.forEach((ref) => ref.tell("x"));
    const kinds = [...system.kinds.all].map((counters) => counters.kind);
    expect(kinds.filter((kind) => kind === "/user/$anonymous")).toHaveLength(1);
    expect(kinds.some((kind) => kind.startsWith("/user/$") && kind !== "/user/$anonymous")).toBe(false);
  });

  it("a name given twice is refused; a generated one never clashes with a given one", () => {
    system = new ActorSystem({ name: "t", logLevel: "silent" });
    system.spawn(idle, "worker");
    expect(() => system!.spawn(idle, "worker")).toThrow(DuplicateActorNameError);
    expect(() => system!.spawn(idle, "$a")).toThrow(/leading "\$"/);
    expect(system.spawn(idle).path).toMatch(/^\/user\/\$/);
  });
});
