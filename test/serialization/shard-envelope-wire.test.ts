// The README documents the wire form of ShardEnvelope for clients in other languages; this test holds
// that block against what a node with a sharded region really sends and reads.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Value, type ObjectField } from "../../gen/casty/v1/value.js";
import { Behaviors, ClusteredActorSystem, ShardEnvelope, type ActorRef } from "../../src/index.js";
import { VALUE_MANIFEST } from "../../src/serialization/index.js";

type AccountMsg = { readonly kind: "deposit"; readonly amount: number } | { readonly kind: "ping"; readonly replyTo: ActorRef<string> };

const account = (id: string) =>
  Behaviors.receive<AccountMsg>((_ctx, msg) => {
    if (msg.kind === "ping") msg.replyTo.tell(id);
    return Behaviors.same();
  });

/** The text-format block of the README's "Wire form of ShardEnvelope" section, whitespace collapsed. */
function documentedForm(): string {
  const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
  const section = readme.slice(readme.indexOf("### Wire form of ShardEnvelope"));
  const block = /```\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error("README has no block under Wire form of ShardEnvelope");
  return collapse(block[1]);
}

const collapse = (text: string) => text.replace(/\s+/g, " ").trim();

/** Protobuf text format of the Value kinds the documented envelope uses. */
function textFormat(value: Value | undefined): string {
  const kind = value?.kind;
  switch (kind?.$case) {
    case "classValue":
      return `class_value { class_name: ${JSON.stringify(kind.value.className)} ${kind.value.fields.map(field).join(" ")} }`;
    case "objectValue":
      return `object_value { ${kind.value.fields.map(field).join(" ")} }`;
    case "stringValue":
      return `string_value: ${JSON.stringify(kind.value)}`;
    case "numberValue":
      return `number_value: ${kind.value}`;
    default:
      throw new Error(`the documented form has no ${kind?.$case ?? "empty"} value`);
  }
}

const field = (f: ObjectField) => `fields { key: ${JSON.stringify(f.key)} value { ${textFormat(f.value)} } }`;

describe("the wire form of ShardEnvelope", () => {
  let node: ClusteredActorSystem;

  beforeAll(async () => {
    node = await ClusteredActorSystem.start({ name: "wire", host: "127.0.0.1", port: 0, seedNodes: [], logLevel: "error" });
    await node.cluster.whenUp();
    const accounts = node.spawn(Behaviors.sharded(account, { numShards: 10 }), "accounts");
    // A first round trip: the region runs, so it has registered its envelope.
    expect(await node.ask<ShardEnvelope<AccountMsg>, string>(accounts, (replyTo) => new ShardEnvelope("a", { kind: "ping", replyTo }))).toBe("a");
  });

  afterAll(async () => {
    await node.shutdown();
  });

  it("is the README's: a casty.v1.Value holding the class casty.ShardEnvelope with entityId and message", () => {
    const { manifest, bytes } = node.serialization.serialize(new ShardEnvelope("alice", { kind: "deposit", amount: 100 }));
    expect(manifest).toBe(VALUE_MANIFEST);
    expect(manifest).toBe("casty.v1.Value");
    expect(collapse(textFormat(Value.decode(bytes)))).toBe(documentedForm());
  });

  it("written by another encoder in the documented form, reads as a ShardEnvelope", () => {
    const { bytes } = node.serialization.serialize(new ShardEnvelope("alice", { kind: "deposit", amount: 100 }));
    const foreign = Value.encode(Value.decode(bytes)).finish(); // the generated code, as another language's stubs
    const envelope = node.serialization.deserialize("casty.v1.Value", foreign);
    expect(envelope).toBeInstanceOf(ShardEnvelope);
    expect(envelope).toStrictEqual(new ShardEnvelope("alice", { kind: "deposit", amount: 100 }));
  });
});
