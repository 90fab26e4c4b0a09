// Supervision: what happens when a message handler throws.
//
//   npx tsx examples/supervision.ts
//
// 1. Without supervision a failing actor stops.
// 2. `OneForOneStrategy` with `Directive.restart`: the actor restarts with its *initial* behaviour,
//    so closure state (and state carried in behaviour parameters) is reset; the mailbox is kept.
// 3. A restart budget: more than `maxRestarts` restarts within `within` ms stop the actor.
// 4. A decider that picks the directive per error (restart, stop).
// 5. `Directive.escalate`: the child stops and its parent fails with the same error, so the
//    parent's own supervisor decides (here: restart the parent, which spawns a fresh child).
import {
  ActorRestarted,
  ActorStopped,
  ActorSystem,
  Behaviors,
  Directive,
  OneForOneStrategy,
  type ActorRef,
  type ActorSystem as System,
  type Behavior,
  type Logger,
} from "../src/index.js";

type Msg = { readonly kind: "increment" } | { readonly kind: "fail"; readonly error: Error } | { readonly kind: "get"; readonly replyTo: ActorRef<number> };

/** A counter whose state lives in a closure created by `setup` (which runs again on restart). */
function flakyCounter(name: string): Behavior<Msg> {
  return Behaviors.setup(() => {
    let count = 0;
    console.log(`${name}: setup (count = 0)`);
    return Behaviors.receive((_ctx, msg) => {
      switch (msg.kind) {
        case "increment":
          count++;
          return Behaviors.same();
        case "fail":
          throw msg.error; // let it crash: the supervisor decides what happens next
        case "get":
          msg.replyTo.tell(count);
          return Behaviors.same();
      }
    });
  });
}

class TransientError extends Error {}
class FatalError extends Error {}

const get = (ref: ActorRef<Msg>) => system.ask<Msg, number>(ref, (replyTo) => ({ kind: "get", replyTo }));

/** Resolves when `ref` has stopped. */
function whenStopped(sys: System, ref: ActorRef<never>): Promise<void> {
  return new Promise((resolve) => {
    const off = sys.eventStream.subscribe(ActorStopped, (e) => {
      if (e.ref.equals(ref)) {
        off();
        resolve();
      }
    });
  });
}

// The runtime logs failures through the system logger; this one prints one short line each.
const logger: Logger = {
  debug: () => {},
  info: (m) => console.log(`  [log] ${m}`),
  warn: (m) => console.log(`  [log] ${m}`),
  error: (m, ...details) => console.log(`  [log] ${m}${details[0] instanceof Error ? `: ${details[0].message}` : ""}`),
};

await using system = new ActorSystem({ name: "supervision", logger });
system.eventStream.subscribe(ActorRestarted, (e) => console.log(`event: ActorRestarted ${e.ref.path} (${(e.error as Error).message})`));

// ---- 1. no supervision: the actor stops ----
console.log("\n1. unsupervised");
{
  const plain = system.spawn(flakyCounter("plain"), "plain");
  const stopped = whenStopped(system, plain);
  plain.tell({ kind: "fail", error: new Error("boom") });
  await stopped;
  console.log(`plain: stopped, lookup -> ${system.lookup("/user/plain")?.path ?? "undefined"}`);
}

// ---- 2. restart resets the state ----
console.log("\n2. restart");
{
  const strategy = new OneForOneStrategy({ decider: () => Directive.restart }); // defaults: 10 restarts within 60000 ms
  const ref = system.spawn(Behaviors.supervise(flakyCounter("restartable"), strategy), "restartable");
  ref.tell({ kind: "increment" });
  ref.tell({ kind: "increment" });
  ref.tell({ kind: "increment" });
  console.log(`restartable: count before failure = ${await get(ref)}`);
  ref.tell({ kind: "fail", error: new TransientError("transient glitch") });
  // Messages queued behind the failure are kept and go to the restarted behaviour.
  ref.tell({ kind: "increment" });
  console.log(`restartable: count after restart = ${await get(ref)}`);
}

// ---- 3. restart limit ----
console.log("\n3. restart limit");
{
  const strategy = new OneForOneStrategy({ maxRestarts: 2, within: 10_000 });
  const ref = system.spawn(Behaviors.supervise(flakyCounter("limited"), strategy), "limited");
  const stopped = whenStopped(system, ref);
  for (let i = 1; i <= 3; i++) {
    console.log(`limited: failure ${i}`);
    ref.tell({ kind: "fail", error: new Error(`failure ${i}`) });
  }
  await stopped;
  console.log("limited: stopped after 2 restarts within 10000 ms");
}

// ---- 4. decider: directive per error type ----
console.log("\n4. decider");
{
  const strategy = new OneForOneStrategy({
    decider: (error) => (error instanceof TransientError ? Directive.restart : Directive.stop),
  });
  const ref = system.spawn(Behaviors.supervise(flakyCounter("picky"), strategy), "picky");
  ref.tell({ kind: "increment" });
  ref.tell({ kind: "fail", error: new TransientError("timeout talking to the database") });
  console.log(`picky: after a TransientError count = ${await get(ref)}`);
  const stopped = whenStopped(system, ref);
  ref.tell({ kind: "fail", error: new FatalError("corrupted state") });
  await stopped;
  console.log("picky: stopped after a FatalError");
}

// ---- 5. escalate ----
console.log("\n5. escalate");
{
  type ParentMsg = { readonly kind: "child"; readonly replyTo: ActorRef<ActorRef<Msg>> };
  let generation = 0; // outside the behaviour, so it survives restarts
  const parent: Behavior<ParentMsg> = Behaviors.setup((ctx) => {
    generation++;
    // The child escalates every failure to its parent.
    const child = ctx.spawn(
      Behaviors.supervise(flakyCounter(`child (generation ${generation})`), new OneForOneStrategy({ decider: () => Directive.escalate })),
      "child",
    );
    return Behaviors.receive((_ctx, msg) => {
      msg.replyTo.tell(child);
      return Behaviors.same();
    });
  });
  // The parent restarts on any failure, including the ones its child escalates.
  const parentRef = system.spawn(Behaviors.supervise(parent, new OneForOneStrategy()), "parent");
  const childOf = () => system.ask<ParentMsg, ActorRef<Msg>>(parentRef, (replyTo) => ({ kind: "child", replyTo }));

  const first = await childOf();
  first.tell({ kind: "increment" });
  console.log(`child: count = ${await get(first)}`);
  first.tell({ kind: "fail", error: new Error("cannot handle this") });
  const second = await childOf();
  console.log(`parent: now at generation ${generation}; new child count = ${await get(second)}`);
}

console.log("\ndone");
