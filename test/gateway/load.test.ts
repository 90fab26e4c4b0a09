// 10,000 gateway calls from 64 concurrent clients spread over 3 nodes, half of them ClusterClients (the
// Multiplex stream) and half raw stubs (unary Tell and Ask): every tell arrives exactly once, and every
// ask's answer is unique (none lost, none duplicated).
import { afterAll, describe, expect, it } from "vitest";
import type { GatewayServiceClient } from "../../gen/casty/v1/gateway.js";
import { ClusterClient, type ActorRef } from "../../src/index.js";
import { escapes } from "../support/escapes.js";
import { GatewayNodes } from "./fixtures/cluster.js";
import { call, stub } from "./fixtures/stub.js";

const CLIENTS = 64;
const CALLS = 10_000;
const ENTITIES = 40;

const escaped = escapes();
const nodes = new GatewayNodes();
const clients: ClusterClient[] = [];
const stubs: GatewayServiceClient[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  for (const raw of stubs) raw.close();
  await nodes.shutdownAll();
  escaped.assertNone();
}, 30_000);

describe("gateway under load", () => {
  it(`${CALLS} calls from ${CLIENTS} concurrent clients: none lost or duplicated`, { timeout: 120_000 }, async () => {
    const cluster = await nodes.cluster(3);
    for (let i = 0; i < CLIENTS / 2; i++) {
      clients.push(await ClusterClient.connect({ contactPoints: [cluster[i % 3].selfAddress], timeout: 20_000 }));
      stubs.push(stub(cluster[(i + 1) % 3].selfAddress));
    }
    const multiplexed: Caller = {
      tell: (i, entityId, message) => clients[i].tell("accounts", entityId, message),
      ask: (i, entityId, message) => clients[i].ask<number>("accounts", entityId, (replyTo: ActorRef<number>) => ({ ...message, replyTo })),
    };
    const unary: Caller = {
      tell: async (i, entityId, message) => {
        expectOk(await call(stubs[i], "tell", { region: "accounts", entityId, message: clients[0].encode(message) }, 20_000));
      },
      ask: async (i, entityId, message) => {
        const answer = await call<{ reply: never }>(stubs[i], "ask", { region: "accounts", entityId, message: clients[0].encode(message) }, 20_000);
        return clients[0].decode(expectOk(answer).reply) as number;
      },
    };

    const answers = new Map<string, number[]>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const caller = c % 2 === 0 ? multiplexed : unary;
        const i = c >> 1;
        for (let seq = next++; seq < CALLS; seq = next++) {
          const entity = `e-${seq % ENTITIES}`;
          if (seq % 2 === 0) {
            await caller.tell(i, `told-${entity}`, { kind: "record", seq });
          } else {
            const balance = await caller.ask(i, `asked-${entity}`, { kind: "deposit", amount: 1 });
            answers.set(entity, [...(answers.get(entity) ?? []), balance]);
          }
        }
      }),
    );

    // asks: each entity answered 1..n, each value once
    for (const [entity, balances] of answers)
      expect(
        balances.sort((a, b) => a - b),
        entity,
      ).toEqual(balances.map((_, i) => i + 1));
    expect([...answers.values()].reduce((n, b) => n + b.length, 0)).toBe(CALLS / 2);

    // tells: every sequence number arrives once (the last ones may still be on their way)
    const reader = clients[0];
    const recorded = async (): Promise<number[]> => {
      const lists = await Promise.all(
        Array.from({ length: ENTITIES }, (_, e) =>
          reader.ask<number[]>("accounts", `told-e-${e}`, (replyTo: ActorRef<number[]>) => ({ kind: "recorded", replyTo })),
        ),
      );
      return lists.flat();
    };
    let seen: number[] = [];
    const deadline = Date.now() + 10_000;
    while ((seen = await recorded()).length < CALLS / 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen.length).toBe(CALLS / 2);
    expect(new Set(seen).size).toBe(CALLS / 2);
    expect(seen.every((s) => s % 2 === 0 && s < CALLS)).toBe(true);
  });
});

/** The client at index `i` of one kind: ClusterClients or unary stubs. */
interface Caller {
  tell(i: number, entityId: string, message: object): Promise<void>;
  ask(i: number, entityId: string, message: object): Promise<number>;
}

function expectOk<Res>(answer: { code: number; details: string; response?: Res }): Res {
  if (answer.code !== 0) throw new Error(`unary call failed with ${answer.code}: ${answer.details}`);
  return answer.response!;
}
