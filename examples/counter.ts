// A counter: state as a behaviour parameter, `tell` for commands, `ask` for queries.
//
//   npx tsx examples/counter.ts
//
// Also shows what goes wrong politely: an ask that gets no reply rejects with `AskTimeoutError`,
// and spawning a second actor under a taken name throws `DuplicateActorNameError`.
import { ActorSystem, AskTimeoutError, Behaviors, DuplicateActorNameError, type ActorRef, type Behavior } from "../src/index.js";

type CounterMsg =
  | { readonly kind: "increment"; readonly amount: number }
  | { readonly kind: "decrement"; readonly amount: number }
  | { readonly kind: "reset" }
  | { readonly kind: "getValue"; readonly replyTo: ActorRef<number> };

// Each message returns the behaviour for the next one: `counter(value + 1)` is the new state.
function counter(value = 0): Behavior<CounterMsg> {
  return Behaviors.receive((_ctx, msg) => {
    switch (msg.kind) {
      case "increment":
        return counter(value + msg.amount);
      case "decrement":
        return counter(value - msg.amount);
      case "reset":
        return counter(0);
      case "getValue":
        msg.replyTo.tell(value);
        return Behaviors.same(); // keep the current behaviour (and state)
    }
  });
}

await using system = new ActorSystem({ name: "counter" });
const ref = system.spawn(counter(), "my-counter");

// `tell` is fire-and-forget; messages from one sender arrive in the order they were sent.
ref.tell({ kind: "increment", amount: 10 });
ref.tell({ kind: "increment", amount: 7 });
ref.tell({ kind: "decrement", amount: 2 });

// `ask` passes a temporary `replyTo` ref to the request factory and resolves with the reply.
const value = await system.ask<CounterMsg, number>(ref, (replyTo) => ({ kind: "getValue", replyTo }), { timeout: 5000 });
console.log(`counter value: ${value}`); // 15

ref.tell({ kind: "reset" });
ref.tell({ kind: "increment", amount: 1 });
const afterReset = await system.ask<CounterMsg, number>(ref, (replyTo) => ({ kind: "getValue", replyTo }));
console.log(`counter value after reset and +1: ${afterReset}`); // 1

// Many asks in flight at once: each gets its own reply-to ref.
const values = await Promise.all(
  [1, 2, 3].map(async (n) => {
    ref.tell({ kind: "increment", amount: n });
    return system.ask<CounterMsg, number>(ref, (replyTo) => ({ kind: "getValue", replyTo }));
  }),
);
console.log(`concurrent asks saw: ${values.join(", ")}`); // 2, 4, 7

// ---- errors ----

// An actor that never replies: the ask rejects after `timeout` ms (default 5000).
const blackHole = system.spawn(
  Behaviors.receive<CounterMsg>(() => Behaviors.same()),
  "black-hole",
);
try {
  await system.ask<CounterMsg, number>(blackHole, (replyTo) => ({ kind: "getValue", replyTo }), { timeout: 100 });
} catch (error) {
  if (error instanceof AskTimeoutError) console.log(`ask timed out: ${error.name}`);
  else throw error;
}

// Names are unique among siblings while the actor lives.
try {
  system.spawn(counter(), "my-counter");
} catch (error) {
  if (error instanceof DuplicateActorNameError) console.log(`second "my-counter" refused: ${error.name}`);
  else throw error;
}

console.log("done");
