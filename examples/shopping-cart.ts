// A shopping cart as a state machine: each state is a behaviour.
//
//   npx tsx examples/shopping-cart.ts
//
//   open ──checkout──▶ checkedOut
//    │
//    └──(no command for IDLE_MS)──▶ expired (the cart stops itself)
//
// Shows: behaviours as states (the message handler returns the next state), commands that are
// valid only in some states (rejected with a reply), `ask` for a summary, and an idle expiry with
// `ctx.startTimer`: every command restarts the timer under the same key, so a tick only arrives
// after IDLE_MS without commands. `ctx.cancelTimer` stops it once the cart is checked out.
import { ActorStopped, ActorSystem, Behaviors, type ActorContext, type ActorRef, type Behavior } from "../src/index.js";

const IDLE_MS = 200;

interface Item {
  readonly sku: string;
  readonly price: number;
  readonly quantity: number;
}

interface Summary {
  readonly state: "open" | "checkedOut";
  readonly items: readonly Item[];
  readonly total: number;
}

type Confirmation = { readonly ok: true; readonly summary: Summary } | { readonly ok: false; readonly reason: string };

type CartMsg =
  | { readonly kind: "addItem"; readonly item: Item; readonly replyTo: ActorRef<Confirmation> }
  | { readonly kind: "removeItem"; readonly sku: string; readonly replyTo: ActorRef<Confirmation> }
  | { readonly kind: "checkout"; readonly replyTo: ActorRef<Confirmation> }
  | { readonly kind: "getSummary"; readonly replyTo: ActorRef<Summary> }
  | { readonly kind: "idleTimeout" }; // sent by the timer, not by clients

const IDLE_TIMER = "idle"; // timer key

function summary(state: Summary["state"], items: ReadonlyMap<string, Item>): Summary {
  const list = [...items.values()];
  return { state, items: list, total: list.reduce((sum, i) => sum + i.price * i.quantity, 0) };
}

/** (Re)starts the idle timer: a new timer under the same key replaces the previous one. */
function touch(ctx: ActorContext<CartMsg>): void {
  ctx.startTimer(IDLE_TIMER, { kind: "idleTimeout" }, IDLE_MS);
}

/** The initial behaviour: arm the idle timer, then start in the "open" state. */
function cart(cartId: string): Behavior<CartMsg> {
  return Behaviors.setup((ctx) => {
    touch(ctx);
    return open(cartId, new Map());
  });
}

/** State "open": items can be added and removed. */
function open(cartId: string, items: ReadonlyMap<string, Item>): Behavior<CartMsg> {
  return Behaviors.receive((ctx, msg) => {
    if (msg.kind !== "idleTimeout") touch(ctx);
    switch (msg.kind) {
      case "addItem": {
        if (msg.item.quantity <= 0) {
          msg.replyTo.tell({ ok: false, reason: `quantity must be positive: ${msg.item.sku}` });
          return Behaviors.same();
        }
        const previous = items.get(msg.item.sku);
        const next = new Map(items).set(msg.item.sku, { ...msg.item, quantity: (previous?.quantity ?? 0) + msg.item.quantity });
        msg.replyTo.tell({ ok: true, summary: summary("open", next) });
        return open(cartId, next); // same state, new data
      }
      case "removeItem": {
        if (!items.has(msg.sku)) {
          msg.replyTo.tell({ ok: false, reason: `not in the cart: ${msg.sku}` });
          return Behaviors.same();
        }
        const next = new Map(items);
        next.delete(msg.sku);
        msg.replyTo.tell({ ok: true, summary: summary("open", next) });
        return open(cartId, next);
      }
      case "checkout": {
        if (items.size === 0) {
          msg.replyTo.tell({ ok: false, reason: "cannot check out an empty cart" });
          return Behaviors.same();
        }
        ctx.cancelTimer(IDLE_TIMER); // a checked-out cart never expires
        const done = summary("checkedOut", items);
        console.log(`${cartId}: checked out, total ${done.total}`);
        msg.replyTo.tell({ ok: true, summary: done });
        return checkedOut(done); // state transition
      }
      case "getSummary":
        msg.replyTo.tell(summary("open", items));
        return Behaviors.same();
      case "idleTimeout":
        console.log(`${cartId}: idle for ${IDLE_MS} ms, expiring with ${items.size} item(s)`);
        return Behaviors.stopped();
    }
  });
}

/** State "checkedOut": read-only. */
function checkedOut(done: Summary): Behavior<CartMsg> {
  return Behaviors.receive((_ctx, msg) => {
    switch (msg.kind) {
      case "getSummary":
        msg.replyTo.tell(done);
        return Behaviors.same();
      case "idleTimeout":
        return Behaviors.same(); // a tick already queued before the timer was cancelled
      default:
        msg.replyTo.tell({ ok: false, reason: "cart is already checked out" });
        return Behaviors.same();
    }
  });
}

// ---- main ----

await using system = new ActorSystem({ name: "shop" });

type Cmd = (replyTo: ActorRef<Confirmation>) => CartMsg;
const command = (ref: ActorRef<CartMsg>, cmd: Cmd) => system.ask(ref, cmd);
const show = (c: Confirmation) => (c.ok ? `ok (${c.summary.items.length} lines, total ${c.summary.total})` : `rejected: ${c.reason}`);

const alice = system.spawn(cart("cart-alice"), "cart-alice");
console.log(`add book:      ${show(await command(alice, (replyTo) => ({ kind: "addItem", item: { sku: "book", price: 12, quantity: 2 }, replyTo })))}`);
console.log(`add pen:       ${show(await command(alice, (replyTo) => ({ kind: "addItem", item: { sku: "pen", price: 3, quantity: 5 }, replyTo })))}`);
console.log(`add lamp:      ${show(await command(alice, (replyTo) => ({ kind: "addItem", item: { sku: "lamp", price: 40, quantity: 1 }, replyTo })))}`);
console.log(`remove pen:    ${show(await command(alice, (replyTo) => ({ kind: "removeItem", sku: "pen", replyTo })))}`);
console.log(`remove mug:    ${show(await command(alice, (replyTo) => ({ kind: "removeItem", sku: "mug", replyTo })))}`);
console.log(`checkout:      ${show(await command(alice, (replyTo) => ({ kind: "checkout", replyTo })))}`);
console.log(`add after:     ${show(await command(alice, (replyTo) => ({ kind: "addItem", item: { sku: "mug", price: 8, quantity: 1 }, replyTo })))}`);
const final = await system.ask<CartMsg, Summary>(alice, (replyTo) => ({ kind: "getSummary", replyTo }));
console.log(`summary:       ${final.state}, ${final.items.map((i) => `${i.quantity}x ${i.sku}`).join(", ")}, total ${final.total}`);

// Bob adds an item and walks away: the idle timer fires and the cart stops itself.
const bob = system.spawn(cart("cart-bob"), "cart-bob");
const bobGone = new Promise<void>((resolve) => {
  const off = system.eventStream.subscribe(ActorStopped, (e) => e.ref.equals(bob) && (off(), resolve()));
});
console.log(`bob add:       ${show(await command(bob, (replyTo) => ({ kind: "addItem", item: { sku: "tea", price: 5, quantity: 1 }, replyTo })))}`);
await bobGone;
console.log(`cart-bob stopped: ${system.lookup(bob.path) === undefined ? "gone" : "alive"}`);

// A checked-out cart outlives the idle period.
await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
console.log(`cart-alice still ${system.lookup(alice.path) === undefined ? "gone" : "alive"} after ${IDLE_MS} ms`);
