// 10,000 gateway calls from 64 concurrent clients spread over 3 nodes: every tell arrives exactly
// once, and every ask's answer is unique (none lost, none duplicated).
import { afterAll, describe, expect, it } from "vitest";
import { ClusterClient, type ActorRef } from "../../src/index.js";
import { escapes } from "../support/escapes.js";
import { GatewayNodes } from "./fixtures/cluster.js";

const CLIENTS = 64;
const CALLS = 10_000;
const ENTITIES = 40;

const escaped = escapes();
const nodes = new GatewayNodes();
const clients: ClusterClient[] = [];
afterAll(async () => {
  for (const client of clients) client.close();
  await nodes.shutdownAll();
  escaped.assertNone();
}, 30_000);

describe("gateway under load", () => {
  it(`${CALLS} calls from ${CLIENTS} concurrent clients: none lost or duplicated`, { timeout: 120_000 }, async () => {
    const cluster = await nodes.cluster(3);
    for (let i = 0; i < CLIENTS; i++) clients.push(await ClusterClient.connect({ contactPoints: [cluster[i % 3].selfAddress], timeout: 20_000 }));

    const answers = new Map<string, number[]>();
    let next = 0;
    await Promise.all(
      clients.map(async (client) => {
        for (let seq = next++; seq < CALLS; seq = next++) {
          const entity = `e-${seq % ENTITIES}`;
          if (seq % 2 === 0) {
            await client.tell("accounts", `told-${entity}`, { kind: "record", seq });
          } else {
            const balance = await client.ask<number>("accounts", `asked-${entity}`, (replyTo: ActorRef<number>) => ({ kind: "deposit", amount: 1, replyTo }));
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
