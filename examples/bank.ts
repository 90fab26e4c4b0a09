// A small bank on local actors.
//
//   npx tsx examples/bank.ts
//
//   main ──offer──▶ teller (bounded mailbox, backpressure) ──ask──▶ bank (supervisor)
//                                                                 ├── fraud-check (restarted on failure)
//                                                                 ├── alice, bob, carol (accounts, watched)
//
// What it shows, end to end:
// - a producer that pushes transfers with `await teller.offer(tx)` into a bounded mailbox with the
//   `backpressure` overflow strategy: when the mailbox is full, the producer waits for room;
// - an async message handler (the teller awaits each transfer before taking the next one);
// - the bank as a supervisor: it spawns and watches its children, and runs each transfer as a small
//   message-driven saga with `ctx.ask` (fraud check → withdraw → deposit), never blocking;
// - `ctx.pipeToSelf` in the fraud check to call an (simulated) external scoring API;
// - "let it crash": the scoring API fails once, the fraud check throws, its supervisor restarts it;
//   the bank's `ctx.ask` for that transfer times out (`AskTimeoutError`) and the bank retries;
// - a periodic timer (`ctx.startTimer`) for progress lines, death watch (`Terminated`) when an
//   account is closed, and a final report. The system shuts down by itself at the end.
import {
  ActorRestarted,
  ActorSystem,
  AskTimeoutError,
  Behaviors,
  Directive,
  Mailbox,
  MailboxOverflowStrategy,
  OneForOneStrategy,
  Terminated,
  type ActorRef,
  type Behavior,
} from "../src/index.js";

// ============================================================================================
// Protocols
// ============================================================================================

interface Transfer {
  readonly id: number;
  readonly from: string;
  readonly to: string;
  readonly amount: number;
}

type TransferResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

type WithdrawResult = { readonly ok: true; readonly balance: number } | { readonly ok: false; readonly reason: string };

type AccountMsg =
  | { readonly kind: "deposit"; readonly amount: number }
  | { readonly kind: "withdraw"; readonly amount: number; readonly replyTo: ActorRef<WithdrawResult> }
  | { readonly kind: "withdrawAll"; readonly replyTo: ActorRef<number> }
  | { readonly kind: "getBalance"; readonly replyTo: ActorRef<number> };

type Verdict = { readonly approved: true } | { readonly approved: false; readonly reason: string };

type FraudMsg =
  | { readonly kind: "check"; readonly tx: Transfer; readonly replyTo: ActorRef<Verdict> }
  // the outcome of the scoring API call, piped back to the actor itself
  | { readonly kind: "scored"; readonly tx: Transfer; readonly score: number; readonly replyTo: ActorRef<Verdict> }
  | { readonly kind: "scoringFailed"; readonly tx: Transfer; readonly error: unknown };

interface Report {
  readonly balances: Readonly<Record<string, number>>;
  readonly completed: number;
  readonly declined: number;
  readonly insufficientFunds: number;
  readonly unknownAccount: number;
  readonly retries: number;
}

type BankMsg =
  | { readonly kind: "open"; readonly owner: string; readonly initial: number }
  | { readonly kind: "transfer"; readonly tx: Transfer; readonly replyTo: ActorRef<TransferResult> }
  | { readonly kind: "close"; readonly owner: string; readonly into: string; readonly replyTo: ActorRef<string> }
  | { readonly kind: "report"; readonly replyTo: ActorRef<Report> }
  // internal: replies of the saga steps (mapped by ctx.ask), timer ticks, death watch
  | { readonly kind: "checked"; readonly tx: Transfer; readonly verdict: Verdict; readonly replyTo: ActorRef<TransferResult> }
  | { readonly kind: "checkFailed"; readonly tx: Transfer; readonly error: unknown; readonly attempt: number; readonly replyTo: ActorRef<TransferResult> }
  | { readonly kind: "withdrawn"; readonly tx: Transfer; readonly result: WithdrawResult; readonly replyTo: ActorRef<TransferResult> }
  | { readonly kind: "emptied"; readonly owner: string; readonly into: string; readonly amount: number }
  | { readonly kind: "closeFailed"; readonly owner: string; readonly error: unknown }
  | { readonly kind: "balances"; readonly balances: Record<string, number>; readonly error?: unknown; readonly replyTo: ActorRef<Report> }
  | { readonly kind: "tick" }
  | Terminated;

type TellerMsg =
  { readonly kind: "transfer"; readonly tx: Transfer } | { readonly kind: "notifyWhenDone"; readonly expected: number; readonly replyTo: ActorRef<string> };

// ============================================================================================
// Account: state in the behaviour's parameters
// ============================================================================================

function account(owner: string, balance: number): Behavior<AccountMsg> {
  return Behaviors.receive((_ctx, msg) => {
    switch (msg.kind) {
      case "deposit":
        return account(owner, balance + msg.amount);
      case "withdraw":
        if (msg.amount > balance) {
          msg.replyTo.tell({ ok: false, reason: `insufficient funds (${owner} has ${balance})` });
          return Behaviors.same();
        }
        msg.replyTo.tell({ ok: true, balance: balance - msg.amount });
        return account(owner, balance - msg.amount);
      case "withdrawAll":
        msg.replyTo.tell(balance);
        return account(owner, 0);
      case "getBalance":
        msg.replyTo.tell(balance);
        return Behaviors.same();
    }
  });
}

// ============================================================================================
// Fraud check: calls a (simulated) external API with pipeToSelf; crashes when the API fails
// ============================================================================================

let scoringApiCalls = 0;

/** A remote risk-scoring service: answers after a millisecond or two, and has one outage. */
function externalRiskScore(tx: Transfer): Promise<number> {
  const call = ++scoringApiCalls;
  return new Promise((resolve, reject) =>
    setTimeout(
      () => {
        if (call === 40) reject(new Error("scoring API: 503 Service Unavailable"));
        else resolve(tx.amount > 5000 ? 0.97 : 0.05);
      },
      1 + (tx.id % 2),
    ),
  );
}

const fraudCheck: Behavior<FraudMsg> = Behaviors.setup(() => {
  let checked = 0; // fresh after every restart
  return Behaviors.receive((ctx, msg) => {
    switch (msg.kind) {
      case "check":
        // Never await inside the actor: pipe the promise's outcome back as a message.
        ctx.pipeToSelf(
          externalRiskScore(msg.tx),
          (score) => ({ kind: "scored", tx: msg.tx, score, replyTo: msg.replyTo }),
          (error) => ({ kind: "scoringFailed", tx: msg.tx, error }),
        );
        return Behaviors.same();
      case "scored":
        checked++;
        msg.replyTo.tell(msg.score > 0.9 ? { approved: false, reason: `risk score ${msg.score}` } : { approved: true });
        return Behaviors.same();
      case "scoringFailed":
        console.log(`fraud-check: tx #${msg.tx.id}: ${(msg.error as Error).message} after ${checked} checks; crashing`);
        throw msg.error; // let it crash: the supervisor restarts us, the asker times out and retries
    }
  });
});

// ============================================================================================
// Bank: supervisor of accounts and fraud check; transfers as ctx.ask sagas
// ============================================================================================

const CHECK_TIMEOUT = 300; // ms the bank waits for the fraud check

const bank: Behavior<BankMsg> = Behaviors.setup((ctx) => {
  // Children: the fraud check restarts on failure (at most 3 times per 10 s).
  const fraud = ctx.spawn(
    Behaviors.supervise(fraudCheck, new OneForOneStrategy({ maxRestarts: 3, within: 10_000, decider: () => Directive.restart })),
    "fraud-check",
  );
  const accounts = new Map<string, ActorRef<AccountMsg>>();
  const closing = new Map<string, ActorRef<string>>(); // account path -> who waits for the close
  const stats = { completed: 0, declined: 0, insufficientFunds: 0, unknownAccount: 0, retries: 0 };
  let settled = 0;
  let reported = -1;
  ctx.startTimer("progress", { kind: "tick" }, 50); // every 50 ms until the bank stops

  const fail = (replyTo: ActorRef<TransferResult>, reason: string) => {
    settled++;
    replyTo.tell({ ok: false, reason });
  };

  const checkFraud = (tx: Transfer, replyTo: ActorRef<TransferResult>, attempt: number) =>
    ctx.ask<FraudMsg, Verdict>(
      fraud,
      (r) => ({ kind: "check", tx, replyTo: r }),
      (verdict) => ({ kind: "checked", tx, verdict, replyTo }),
      (error) => ({ kind: "checkFailed", tx, error, attempt, replyTo }),
      { timeout: CHECK_TIMEOUT },
    );

  return Behaviors.receive((ctx, msg) => {
    if (msg instanceof Terminated) {
      // Death watch: an account stopped (closed here, or failed).
      const owner = [...accounts].find(([, ref]) => ref.equals(msg.ref))?.[0];
      if (owner !== undefined) accounts.delete(owner);
      console.log(`bank: Terminated ${msg.ref.path}`);
      closing.get(msg.ref.path)?.tell(`account ${owner} closed`);
      closing.delete(msg.ref.path);
      return Behaviors.same();
    }
    switch (msg.kind) {
      case "open": {
        const ref = ctx.spawn(account(msg.owner, msg.initial), msg.owner);
        ctx.watch(ref);
        accounts.set(msg.owner, ref);
        return Behaviors.same();
      }
      case "transfer": {
        const { tx } = msg;
        if (!accounts.has(tx.from) || !accounts.has(tx.to)) {
          stats.unknownAccount++;
          fail(msg.replyTo, `unknown account in ${tx.from} -> ${tx.to}`);
          return Behaviors.same();
        }
        checkFraud(tx, msg.replyTo, 1); // step 1
        return Behaviors.same();
      }
      case "checkFailed":
        if (msg.error instanceof AskTimeoutError && msg.attempt < 3) {
          stats.retries++;
          console.log(`bank: fraud check of tx #${msg.tx.id} timed out (attempt ${msg.attempt}); retrying`);
          checkFraud(msg.tx, msg.replyTo, msg.attempt + 1);
        } else {
          stats.declined++;
          fail(msg.replyTo, `fraud check unavailable: ${String(msg.error)}`);
        }
        return Behaviors.same();
      case "checked": {
        const { tx } = msg;
        if (!msg.verdict.approved) {
          stats.declined++;
          fail(msg.replyTo, `declined: ${msg.verdict.reason}`);
          return Behaviors.same();
        }
        ctx.ask<AccountMsg, WithdrawResult>(
          accounts.get(tx.from)!, // step 2
          (r) => ({ kind: "withdraw", amount: tx.amount, replyTo: r }),
          (result) => ({ kind: "withdrawn", tx, result, replyTo: msg.replyTo }),
          (error) => ({ kind: "withdrawn", tx, result: { ok: false, reason: String(error) }, replyTo: msg.replyTo }),
        );
        return Behaviors.same();
      }
      case "withdrawn": {
        const { tx, result } = msg;
        if (!result.ok) {
          stats.insufficientFunds++;
          fail(msg.replyTo, result.reason);
          return Behaviors.same();
        }
        accounts.get(tx.to)!.tell({ kind: "deposit", amount: tx.amount }); // step 3 (fire-and-forget)
        stats.completed++;
        settled++;
        msg.replyTo.tell({ ok: true });
        return Behaviors.same();
      }
      case "close": {
        const ref = accounts.get(msg.owner);
        if (ref === undefined || !accounts.has(msg.into)) {
          msg.replyTo.tell(`cannot close ${msg.owner} into ${msg.into}`);
          return Behaviors.same();
        }
        closing.set(ref.path, msg.replyTo);
        const { owner, into } = msg;
        ctx.ask<AccountMsg, number>(
          ref,
          (r) => ({ kind: "withdrawAll", replyTo: r }),
          (amount) => ({ kind: "emptied", owner, into, amount }),
          (error) => ({ kind: "closeFailed", owner, error }),
        );
        return Behaviors.same();
      }
      case "closeFailed": {
        const ref = accounts.get(msg.owner);
        if (ref !== undefined) closing.get(ref.path)?.tell(`closing ${msg.owner} failed: ${String(msg.error)}`);
        if (ref !== undefined) closing.delete(ref.path);
        return Behaviors.same();
      }
      case "emptied": {
        accounts.get(msg.into)!.tell({ kind: "deposit", amount: msg.amount });
        console.log(`bank: moved ${msg.amount} from ${msg.owner} to ${msg.into}; stopping ${msg.owner}`);
        ctx.stop(accounts.get(msg.owner)!); // Terminated follows (we watch every account)
        return Behaviors.same();
      }
      case "report": {
        // Fan out one ask per account and pipe the combined result back to ourselves: the bank
        // keeps serving other messages meanwhile.
        const owners = [...accounts.keys()].sort();
        const replyTo = msg.replyTo;
        const balances = Promise.all(owners.map((o) => ctx.system.ask<AccountMsg, number>(accounts.get(o)!, (r) => ({ kind: "getBalance", replyTo: r }))));
        ctx.pipeToSelf(
          balances,
          (values) => ({ kind: "balances", balances: Object.fromEntries(owners.map((o, i) => [o, values[i]])), replyTo }),
          (error) => ({ kind: "balances", balances: {}, error, replyTo }),
        );
        return Behaviors.same();
      }
      case "balances":
        if (msg.error !== undefined) console.log(`bank: report incomplete: ${msg.error instanceof Error ? msg.error.message : JSON.stringify(msg.error)}`);
        msg.replyTo.tell({ ...stats, balances: msg.balances });
        return Behaviors.same();
      case "tick":
        if (settled !== reported) {
          reported = settled;
          console.log(`bank: progress: ${settled} transfers settled`);
        }
        return Behaviors.same();
    }
  });
});

// ============================================================================================
// Teller: the intake, with a small bounded mailbox; handles one transfer at a time (async handler)
// ============================================================================================

function teller(bankRef: ActorRef<BankMsg>): Behavior<TellerMsg> {
  return Behaviors.setup(() => {
    let processed = 0;
    let failed = 0;
    let waiting: { expected: number; replyTo: ActorRef<string> } | undefined;
    // An async handler: the actor takes its next message only after the returned promise resolves.
    return Behaviors.receive(async (ctx, msg) => {
      if (msg.kind === "notifyWhenDone") {
        waiting = { expected: msg.expected, replyTo: msg.replyTo };
        return Behaviors.same();
      }
      const { tx } = msg;
      const result = await ctx.system.ask<BankMsg, TransferResult>(bankRef, (replyTo) => ({ kind: "transfer", tx, replyTo }), { timeout: 5000 });
      processed++;
      if (!result.ok) {
        failed++;
        console.log(`teller: tx #${tx.id} ${tx.from} -> ${tx.to} ${tx.amount} rejected: ${result.reason}`);
      }
      if (waiting !== undefined && processed === waiting.expected) {
        waiting.replyTo.tell(`${processed} transfers processed, ${failed} rejected`);
      }
      return Behaviors.same();
    });
  });
}

// ============================================================================================
// main
// ============================================================================================

const started = performance.now();
await using system = new ActorSystem({ name: "bank", logLevel: "error" });

let restarts = 0;
system.eventStream.subscribe(ActorRestarted, (e) => {
  restarts++;
  console.log(`event: ActorRestarted ${e.ref.path}`);
});

const bankRef = system.spawn(bank, "bank");
const opening: Record<string, number> = { alice: 1000, bob: 500, carol: 250 };
for (const [owner, initial] of Object.entries(opening)) bankRef.tell({ kind: "open", owner, initial });

// The transfers: a regular round-robin flow plus three that must fail for different reasons.
const owners = Object.keys(opening);
const transfers: Transfer[] = [];
for (let id = 1; id <= 58; id++) {
  if (id === 20)
    transfers.push({ id, from: "bob", to: "alice", amount: 9_999 }); // fraud check declines
  else if (id === 30)
    transfers.push({ id, from: "carol", to: "bob", amount: 5_000 }); // insufficient funds
  else if (id === 45)
    transfers.push({ id, from: "alice", to: "dave", amount: 10 }); // unknown account
  else transfers.push({ id, from: owners[id % 3], to: owners[(id + 1) % 3], amount: 5 + (id % 7) * 5 });
}

const CAPACITY = 8;
const tellerRef = system.spawn(teller(bankRef), "teller", {
  mailbox: new Mailbox({ capacity: CAPACITY, overflow: MailboxOverflowStrategy.backpressure }),
});

// Ask first (the mailbox is empty now), then push: `offer` waits while the mailbox is full.
const done = system.ask<TellerMsg, string>(tellerRef, (replyTo) => ({ kind: "notifyWhenDone", expected: transfers.length, replyTo }), { timeout: 10_000 });
console.log(`main: offering ${transfers.length} transfers to the teller`);
let accepted = 0;
let waited = 0;
for (const tx of transfers) {
  const offered = tellerRef.offer({ kind: "transfer", tx });
  // An offer to a mailbox with room is settled at once; a pending one means we are being held back.
  if ((await Promise.race([offered, Promise.resolve("pending" as const)])) === "pending") waited++;
  if (await offered) accepted++;
}
console.log(`main: offered ${transfers.length} transfers to a mailbox of ${CAPACITY}: ${accepted} accepted, producer held back ${waited} times`);
console.log(`main: teller: ${await done}`);

// Close carol's account: the bank moves her money to alice and stops the account (death watch).
console.log(`main: ${await system.ask<BankMsg, string>(bankRef, (replyTo) => ({ kind: "close", owner: "carol", into: "alice", replyTo }))}`);

const report = await system.ask<BankMsg, Report>(bankRef, (replyTo) => ({ kind: "report", replyTo }));
const total = Object.values(report.balances).reduce((a, b) => a + b, 0);
const openingTotal = Object.values(opening).reduce((a, b) => a + b, 0);

console.log("\n=== final report ===");
for (const [owner, balance] of Object.entries(report.balances)) console.log(`balance ${owner}: ${balance}`);
console.log(`total: ${total} (opening total ${openingTotal}: ${total === openingTotal ? "money conserved" : "MONEY LOST"})`);
console.log(
  `transfers: ${report.completed} completed, ${report.declined} declined, ${report.insufficientFunds} insufficient funds, ${report.unknownAccount} unknown account`,
);
console.log(`fraud-check: ${restarts} restart(s), ${report.retries} retried check(s)`);
console.log(`elapsed: ${Math.round(performance.now() - started)} ms; shutting down`);
