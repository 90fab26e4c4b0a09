// Lifecycle hooks and the event stream.
//
//   npx tsx examples/lifecycle-events.ts
//
// Shows: `Behaviors.withLifecycle` with `preStart` (async: the actor takes no message until it is
// done), `preRestart(ctx, error)`, `postRestart` and `postStop`; `system.eventStream.subscribe` to
// `ActorStarted`, `ActorRestarted`, `ActorStopped`, `UnhandledMessage` and `DeadLetter`, and the
// unsubscribe function it returns; dead letters from a stopped actor and from full bounded
// mailboxes (`dropNew`, `dropOldest`).
import {
  ActorRestarted,
  ActorStarted,
  ActorStopped,
  ActorSystem,
  Behaviors,
  DeadLetter,
  Mailbox,
  MailboxOverflowStrategy,
  OneForOneStrategy,
  UnhandledMessage,
  type ActorRef,
  type Behavior,
} from "../src/index.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type ConnMsg =
  | { readonly kind: "query"; readonly sql: string; readonly replyTo: ActorRef<string> }
  | { readonly kind: "crash" }
  | { readonly kind: "close" }
  | { readonly kind: "unknown-command" };

/** A connection-like resource: opened in preStart, closed in postStop. */
function connection(): Behavior<ConnMsg> {
  // State created inside `setup` is fresh after a restart (setup runs again); a variable declared
  // outside it, next to `withLifecycle`, would survive restarts.
  const receive = Behaviors.setup<ConnMsg>(() => {
    let queries = 0;
    return Behaviors.receive<ConnMsg>((_ctx, msg) => {
      switch (msg.kind) {
        case "query":
          queries++;
          msg.replyTo.tell(`result #${queries} of "${msg.sql}"`);
          return Behaviors.same();
        case "crash":
          throw new Error("connection reset by peer");
        case "close":
          return Behaviors.stopped();
        default:
          return Behaviors.unhandled(); // published as UnhandledMessage
      }
    });
  });
  return Behaviors.withLifecycle(Behaviors.supervise(receive, new OneForOneStrategy()), {
    async preStart(ctx) {
      console.log(`hook: preStart ${ctx.self.path}: opening…`);
      await sleep(20); // messages sent meanwhile wait in the mailbox
      console.log("hook: preStart: open");
    },
    preRestart(_ctx, error) {
      console.log(`hook: preRestart (${(error as Error).message})`);
    },
    postRestart() {
      console.log("hook: postRestart");
    },
    async postStop() {
      await sleep(5);
      console.log("hook: postStop: closed");
    },
  });
}

await using system = new ActorSystem({ name: "lifecycle", logLevel: "silent" });
const events = system.eventStream;

// Each subscription returns its unsubscribe function.
const subscriptions = [
  events.subscribe(ActorStarted, (e) => console.log(`event: ActorStarted ${e.ref.path}`)),
  events.subscribe(ActorRestarted, (e) => console.log(`event: ActorRestarted ${e.ref.path}: ${(e.error as Error).message}`)),
  events.subscribe(ActorStopped, (e) => console.log(`event: ActorStopped ${e.ref.path}`)),
  events.subscribe(UnhandledMessage, (e) => console.log(`event: UnhandledMessage ${JSON.stringify(e.message)} at ${e.ref.path}`)),
  events.subscribe(DeadLetter, (e) => console.log(`event: DeadLetter ${JSON.stringify(e.message)} to ${e.recipient?.path}: ${e.reason}`)),
];

// ---- hooks ----

const conn = system.spawn(connection(), "db");
const query = (sql: string) => system.ask<ConnMsg, string>(conn, (replyTo) => ({ kind: "query", sql, replyTo }));
console.log(`main: ${await query("select 1")}`); // waits for the async preStart first
console.log(`main: ${await query("select 2")}`);

conn.tell({ kind: "unknown-command" }); // -> UnhandledMessage
conn.tell({ kind: "crash" }); // -> preRestart, ActorRestarted, postRestart
console.log(`main: ${await query("select 3")}`); // counting starts again at #1

const stopped = new Promise<void>((resolve) => {
  const off = events.subscribe(ActorStopped, (e) => e.ref.equals(conn) && (off(), resolve()));
});
conn.tell({ kind: "close" }); // -> postStop (async), then ActorStopped
await stopped;
conn.tell({ kind: "unknown-command" }); // the actor is gone -> DeadLetter

// ---- dead letters from bounded mailboxes ----

// `tell` only enqueues; the actor runs later, so five synchronous tells meet a mailbox of two.
type Num = { readonly n: number };
const seen: Record<string, number[]> = { dropNew: [], dropOldest: [] };
for (const overflow of [MailboxOverflowStrategy.dropNew, MailboxOverflowStrategy.dropOldest]) {
  const ref = system.spawn(
    Behaviors.receive<Num>((_ctx, msg) => {
      seen[overflow].push(msg.n);
      return Behaviors.same();
    }),
    `bounded-${overflow}`,
    { mailbox: new Mailbox({ capacity: 2, overflow }) },
  );
  for (let n = 1; n <= 5; n++) ref.tell({ n });
}
await sleep(10);
console.log(`main: dropNew processed ${seen.dropNew.join(", ")}; dropOldest processed ${seen.dropOldest.join(", ")}`);

for (const off of subscriptions) off();
console.log("main: unsubscribed; shutting down quietly");
