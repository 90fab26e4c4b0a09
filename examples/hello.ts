// Hello world: a greeter actor and a bot that greets it a few times.
//
//   npx tsx examples/hello.ts
//
// Shows: messages as plain data with a `kind` discriminant, `Behaviors.receive`, behaviours that
// carry their state as parameters, replying through an `ActorRef` inside the message, stopping an
// actor with `Behaviors.stopped()`, and `system.ask` to wait for a result from outside the system.
import { ActorSystem, Behaviors, type ActorRef, type Behavior } from "../src/index.js";

// ---- the protocol: what each actor accepts ----

interface Greet {
  readonly kind: "greet";
  readonly whom: string;
  readonly replyTo: ActorRef<Greeted>;
}

interface Greeted {
  readonly kind: "greeted";
  readonly whom: string;
  readonly from: ActorRef<Greet>;
}

type BotMsg = { readonly kind: "start"; readonly whom: string; readonly greeter: ActorRef<Greet>; readonly done: ActorRef<string> } | Greeted;

// ---- the greeter: stateless, so it always returns `Behaviors.same()` ----

const greeter: Behavior<Greet> = Behaviors.receive((ctx, msg) => {
  console.log(`greeter: Hello, ${msg.whom}!`);
  msg.replyTo.tell({ kind: "greeted", whom: msg.whom, from: ctx.self });
  return Behaviors.same();
});

// ---- the bot: waits for "start", then greets until it has heard back `max` times ----

function bot(max: number): Behavior<BotMsg> {
  return Behaviors.receive((ctx, msg) => {
    if (msg.kind !== "start") return Behaviors.unhandled();
    msg.greeter.tell({ kind: "greet", whom: msg.whom, replyTo: ctx.self });
    return greeting(max, 1, msg.done);
  });
}

// A new behaviour value *is* the new state: `count` lives in the parameters, no mutable fields.
function greeting(max: number, count: number, done: ActorRef<string>): Behavior<BotMsg> {
  return Behaviors.receive((ctx, msg) => {
    if (msg.kind !== "greeted") return Behaviors.unhandled();
    console.log(`bot: greeting ${count} for ${msg.whom}`);
    if (count === max) {
      done.tell(`greeted ${msg.whom} ${count} times`);
      return Behaviors.stopped(); // the bot's work is done: stop it
    }
    msg.from.tell({ kind: "greet", whom: msg.whom, replyTo: ctx.self });
    return greeting(max, count + 1, done);
  });
}

// ---- main ----

// `await using` shuts the system down (stopping every actor) when the scope ends.
await using system = new ActorSystem({ name: "hello" });

const greeterRef = system.spawn(greeter, "greeter");
const botRef = system.spawn(bot(3), "bot");
console.log(`main: spawned ${greeterRef.path} and ${botRef.path}`);

// `system.ask` creates a temporary reply-to ref, sends the message and resolves with the first reply.
const summary = await system.ask<BotMsg, string>(botRef, (done) => ({ kind: "start", whom: "World", greeter: greeterRef, done }));
console.log(`main: bot finished: ${summary}`);
console.log(`main: bot is ${system.lookup(botRef.path) === undefined ? "stopped" : "still running"}`);
console.log("main: shutting down");
