// Parent and children: a manager spawns workers, routes work to them round-robin, watches them,
// retires one (death watch delivers `Terminated`), and finally stops, children first.
//
//   npx tsx examples/parent-child.ts
//
// Shows: `Behaviors.setup`, `ctx.spawn` (children live under the parent's path), `ctx.children`,
// `ctx.stop(child)`, `ctx.watch(ref)` and the `Terminated` message (also for an already-dead ref),
// `Behaviors.withLifecycle` for `postStop`, and the stop order: children before their parent.
import { ActorStopped, ActorSystem, Behaviors, Terminated, type ActorRef, type ActorSystem as System, type Behavior } from "../src/index.js";

// ---- worker: squares numbers ----

interface Square {
  readonly kind: "square";
  readonly n: number;
  readonly replyTo: ActorRef<number>;
}

function worker(name: string): Behavior<Square> {
  const receive = Behaviors.receive<Square>((_ctx, msg) => {
    console.log(`${name}: ${msg.n}² = ${msg.n * msg.n}`);
    msg.replyTo.tell(msg.n * msg.n);
    return Behaviors.same();
  });
  return Behaviors.withLifecycle(receive, { postStop: () => console.log(`${name}: postStop`) });
}

// ---- manager: owns the workers ----

// The manager's message type includes `Terminated`, which death watch delivers.
type ManagerMsg =
  | Square
  | { readonly kind: "retire"; readonly worker: string; readonly replyTo: ActorRef<string> }
  | { readonly kind: "watchAgain"; readonly ref: ActorRef<never> }
  | { readonly kind: "listWorkers"; readonly replyTo: ActorRef<string[]> }
  | { readonly kind: "workerRef"; readonly worker: string; readonly replyTo: ActorRef<ActorRef<never> | undefined> }
  | { readonly kind: "stop" }
  | Terminated;

function manager(workerCount: number): Behavior<ManagerMsg> {
  return Behaviors.setup((ctx) => {
    // Spawn and watch the children. Their paths are /user/manager/worker-1, …
    for (let i = 1; i <= workerCount; i++) {
      const child = ctx.spawn(worker(`worker-${i}`), `worker-${i}`);
      ctx.watch(child);
    }
    console.log(`manager: spawned ${ctx.children.map((c) => c.path).join(", ")}`);

    let next = 0; // round-robin cursor (closure state, reset if the actor restarts)
    const pendingRetirements = new Map<string, ActorRef<string>>();

    const receive = Behaviors.receive<ManagerMsg>((ctx, msg) => {
      if (msg instanceof Terminated) {
        // Death watch: the watched actor has stopped (for whatever reason).
        console.log(`manager: Terminated(${msg.ref.path})`);
        const waiting = pendingRetirements.get(msg.ref.path);
        pendingRetirements.delete(msg.ref.path);
        waiting?.tell(`${msg.ref.path} retired`);
        return Behaviors.same();
      }
      switch (msg.kind) {
        case "square": {
          // Route to the next child; the worker replies directly to the original sender.
          const workers = ctx.children as readonly ActorRef<Square>[];
          workers[next++ % workers.length].tell(msg);
          return Behaviors.same();
        }
        case "retire": {
          const child = ctx.child(msg.worker);
          if (child === undefined) {
            msg.replyTo.tell(`no worker named ${msg.worker}`);
            return Behaviors.same();
          }
          pendingRetirements.set(child.path, msg.replyTo);
          ctx.stop(child); // a parent stops its children; `Terminated` follows
          return Behaviors.same();
        }
        case "watchAgain":
          // Watching an actor that is already dead delivers `Terminated` at once.
          ctx.watch(msg.ref);
          return Behaviors.same();
        case "listWorkers":
          msg.replyTo.tell(ctx.children.map((c) => c.path.split("/").pop()!));
          return Behaviors.same();
        case "workerRef":
          msg.replyTo.tell(ctx.child(msg.worker));
          return Behaviors.same();
        case "stop":
          return Behaviors.stopped(); // stops the children first, then the manager
      }
    });
    return Behaviors.withLifecycle(receive, { postStop: () => console.log("manager: postStop") });
  });
}

/** Resolves when `ref` has stopped, using the event stream (outside any actor). */
function whenStopped(system: System, ref: ActorRef<never>): Promise<void> {
  return new Promise((resolve) => {
    const off = system.eventStream.subscribe(ActorStopped, (event) => {
      if (event.ref.equals(ref)) {
        off();
        resolve();
      }
    });
  });
}

// ---- main ----

await using system = new ActorSystem({ name: "parent-child" });
const mgr = system.spawn(manager(3), "manager");

// Six jobs, routed round-robin to three workers.
const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => system.ask<ManagerMsg, number>(mgr, (replyTo) => ({ kind: "square", n, replyTo }))));
console.log(`main: results ${results.join(", ")}`);

// Retire worker-2: the manager stops it and hears `Terminated`.
const worker2 = await system.ask<ManagerMsg, ActorRef<never> | undefined>(mgr, (replyTo) => ({ kind: "workerRef", worker: "worker-2", replyTo }));
console.log(`main: ${await system.ask<ManagerMsg, string>(mgr, (replyTo) => ({ kind: "retire", worker: "worker-2", replyTo }))}`);
console.log(`main: workers now ${(await system.ask<ManagerMsg, string[]>(mgr, (replyTo) => ({ kind: "listWorkers", replyTo }))).join(", ")}`);

// The remaining workers take all the work.
const more = await Promise.all([7, 8].map((n) => system.ask<ManagerMsg, number>(mgr, (replyTo) => ({ kind: "square", n, replyTo }))));
console.log(`main: results ${more.join(", ")}`);

// Watch the dead worker again: `Terminated` arrives at once.
mgr.tell({ kind: "watchAgain", ref: worker2! });
await system.ask<ManagerMsg, string[]>(mgr, (replyTo) => ({ kind: "listWorkers", replyTo })); // let it be processed

// Stop the manager: worker-1 and worker-3 run their postStop before the manager's.
const stopped = whenStopped(system, mgr);
mgr.tell({ kind: "stop" });
await stopped;
console.log("main: manager stopped");
