// W3C trace context across two in-process nodes with the OpenTelemetry SDK's in-memory exporter: a
// ClusterClient ask under the caller's span → the gateway on node A → the entity's region on node B
// (through a remote envelope) → the entity's persist is one trace, each span the child of the one before.
import { context, ROOT_CONTEXT, trace, type Context, type ContextManager } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Behaviors, ClusterClient, ClusteredActorSystem, InMemoryJournal, ShardEnvelope, regionStats, shardOf, type ActorRef } from "../../src/index.js";
import { escapes } from "../support/escapes.js";
import { depositAccount, type Deposit } from "./fixtures/deposit-account.js";
import { waitFor } from "../support/wait.js";

/** The active context for synchronous code (enough for the caller's span around `client.ask`). */
class SyncContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;
  active(): Context {
    return this.current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

const NUM_SHARDS = 10;
const escaped = escapes();
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const journal = new InMemoryJournal();
let nodes: ClusteredActorSystem[] = [];
let regions: ActorRef<ShardEnvelope<Deposit>>[] = [];
let client: ClusterClient;

const account = depositAccount(journal);

beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new SyncContextManager());
  const options = { name: "traces", host: "127.0.0.1", port: 0, logLevel: "error" as const };
  const first = await ClusteredActorSystem.start(options);
  const second = await ClusteredActorSystem.start({ ...options, seedNodes: [first.selfAddress] });
  nodes = [first, second];
  await Promise.all(nodes.map((node) => node.cluster.whenUp(10_000)));
  await waitFor(() => nodes.every((node) => node.cluster.state.members.filter((m) => m.status === "up").length === 2), 10_000, "two Up members");
  regions = nodes.map((node) => node.spawn(Behaviors.sharded(account, { numShards: NUM_SHARDS }), "accounts"));
  client = await ClusterClient.connect({ contactPoints: [first.selfAddress], timeout: 5000 });
}, 30_000);

afterAll(async () => {
  client.close();
  await Promise.all(nodes.map((node) => node.shutdown()));
  context.disable();
  trace.disable();
  await provider.shutdown();
  escaped.assertNone();
}, 30_000);

/** An account whose shard the second node owns (asked once, so that its shard has a home). */
async function accountOnSecondNode(): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const id = `acct-${i}`;
    await client.ask<number>("accounts", id, (replyTo) => ({ amount: 0, replyTo }));
    if (regionStats(regions[1])!.shards.includes(shardOf(id, NUM_SHARDS))) return id;
  }
  throw new Error("no account landed on the second node");
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe("tracing", () => {
  it("a gateway ask → the entity on another node → its persist is one trace of parent and child spans", async () => {
    const id = await accountOnSecondNode();
    exporter.reset();
    const caller = trace.getTracer("test").startSpan("caller");
    const balance = await context.with(trace.setSpan(ROOT_CONTEXT, caller), () => client.ask<number>("accounts", id, (replyTo) => ({ amount: 5, replyTo })));
    caller.end();
    expect(balance).toBe(5);

    await waitFor(() => exporter.getFinishedSpans().some((s) => s.name === "casty persist"), 5000, "the persist span");
    const spans = exporter.getFinishedSpans();
    const named = (name: string) => {
      const found = spans.filter((s) => s.name === name);
      expect(found, `${name} in ${spans.map((s) => s.name).join(", ")}`).toHaveLength(1);
      return found[0];
    };
    const root = named("caller");
    const gateway = named("casty.v1.GatewayService/ask");
    const send = named("casty send /user/accounts");
    const receive = named("casty receive /user/accounts");
    const persist = named("casty persist");

    for (const span of [gateway, send, receive, persist]) expect(span.spanContext().traceId).toBe(root.spanContext().traceId);
    expect(parentOf(gateway)).toBe(root.spanContext().spanId);
    expect(parentOf(send)).toBe(gateway.spanContext().spanId);
    expect(parentOf(receive)).toBe(send.spanContext().spanId);
    expect(parentOf(persist)).toBe(receive.spanContext().spanId);
    // the hop between the nodes: sent on the first, received on the second
    expect(gateway.attributes["casty.node"]).toBe(nodes[0].addressPrefix);
    expect(send.attributes["casty.node"]).toBe(nodes[0].addressPrefix);
    expect(receive.attributes["casty.node"]).toBe(nodes[1].addressPrefix);
    expect(persist.attributes["casty.entity_id"]).toBe(id);
  });

  it("records nothing for messages outside a trace", async () => {
    exporter.reset();
    await nodes[0].ask(regions[0], (replyTo) => new ShardEnvelope("acct-quiet", { amount: 1, replyTo }), { timeout: 5000 });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
