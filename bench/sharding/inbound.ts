// The receiving side of cross-node tell alone, without network or a second process: inbound batches
// (FRAMES frames of 512 envelopes, encoded once) replayed through remoting's `readFrame`, two frames
// per event-loop turn as socket reads arrive, either to a plain actor or to a region of --entities
// entities on a plain ActorSystem (keyed envelopes round-robin, one hop, as a forwarding region sends
// them). Runs of the two kinds alternate; CPU ns per message until every tick is handled.
//   node --import tsx bench/sharding/inbound.ts [--entities=1000] [--runs=7]
import { ActorSystem, Behaviors, ShardEnvelope, type ActorRef } from "../../src/index.js";
import { readFrame, type InboundHost } from "../../src/remote/inbound-batch.js";
import { InboundTable } from "../../src/remote/inbound-table.js";
import { OutboundBatch } from "../../src/remote/outbound-batch.js";
import { Serialization, type RefCodec } from "../../src/serialization/index.js";
import { RoutedEnvelope, shardEnvelopeCodec } from "../../src/sharding/envelope.js";
import { argNumber, emit, median, type Row } from "../harness.js";
import { counter, entity, NUM_SHARDS, sink, type EntityMsg } from "./entity.js";

const entities = argNumber("entities", 1000);
const runs = argNumber("runs", 7);
const FRAMES = 39;
const ROUNDS = 50;
const BATCH = 512;

const system = new ActorSystem({ name: "inbound", logLevel: "error" });
const refs: RefCodec = {
  addressOf: () => "",
  resolve: () => {
    throw new Error("the replayed messages hold no refs");
  },
};
const serialization = new Serialization(refs);
serialization.registerKeyed([ShardEnvelope, RoutedEnvelope], shardEnvelopeCodec);
const local = new Map<string, ActorRef<never>>([
  ["/user/sink", system.spawn(sink, "sink")],
  ["/user/entities", system.spawn(Behaviors.sharded(entity("local"), { numShards: NUM_SHARDS }), "entities")],
]);
const host: InboundHost = {
  serialization,
  log: system.log,
  resolveLocal: (path) => local.get(path),
  missingRef: () => {
    throw new Error("every recipient lives here");
  },
  deadLetter: (_message, _recipient, reason) => {
    throw new Error(`dead letter: ${reason}`);
  },
};
const ids = Array.from({ length: entities }, (_, i) => `entity-${i}`);
const sender = { address: "casty://inbound@127.0.0.1:1/user/x" } as ActorRef<never>;

type Kind = "plain" | "sharded";
/** One frame that defines every key the stream uses, then the frames replayed. */
function frames(kind: Kind): { first: Buffer; replayed: Buffer[] } {
  const batch = new OutboundBatch(serialization, 1 << 20);
  const append = (n: number) =>
    kind === "plain"
      ? batch.append("/user/sink", { kind: "tick" }, sender)
      : batch.append("/user/entities", new ShardEnvelope<EntityMsg>(ids[n % entities], { kind: "tick" }), sender, 1);
  for (let n = 0; n < (kind === "plain" ? 1 : entities); n++) append(n);
  const first = batch.seal().frame;
  const replayed: Buffer[] = [];
  for (let f = 0, n = 0; f < FRAMES; f++) {
    for (let i = 0; i < BATCH; i++, n++) append(n);
    replayed.push(batch.seal().frame);
  }
  return { first, replayed };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const streams = { plain: { ...frames("plain"), table: new InboundTable() }, sharded: { ...frames("sharded"), table: new InboundTable() } };
for (const stream of Object.values(streams)) readFrame(stream.first, host, true, stream.table);
for (let i = 0; counter.ticks < entities + 1 && i < 1000; i++) await turn();

/** CPU ns per message of ROUNDS replays of the stream's frames. */
async function run(kind: Kind, rounds = ROUNDS): Promise<number> {
  const { replayed, table } = streams[kind];
  const expected = counter.ticks + rounds * replayed.length * BATCH;
  const start = process.cpuUsage();
  for (let r = 0; r < rounds; r++) {
    for (let f = 0; f < replayed.length; f++) {
      readFrame(replayed[f], host, true, table);
      if (f % 2 === 1) await turn();
    }
  }
  for (let i = 0; counter.ticks < expected && i < 10_000; i++) await turn();
  if (counter.ticks !== expected) throw new Error(`${kind}: ${expected - counter.ticks} ticks missing`);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1e3) / (rounds * replayed.length * BATCH);
}

await run("plain", 10);
await run("sharded", 10);
const ns: Record<Kind, number[]> = { plain: [], sharded: [] };
for (let i = 0; i < runs; i++) for (const kind of ["plain", "sharded"] as const) ns[kind].push(await run(kind));
await system.shutdown();
const note = (xs: number[]) => `median of ${runs}, runs ${xs.map((x) => x.toFixed(0)).join(" ")}; ${FRAMES} frames of ${BATCH} replayed ${ROUNDS}× per run`;
const rows: Row[] = [
  { name: "inbound tell to a plain actor, receiver CPU", value: median(ns.plain), unit: "ns/msg", note: note(ns.plain) },
  { name: `inbound tell to ${entities} entities, receiver CPU`, value: median(ns.sharded), unit: "ns/msg", note: note(ns.sharded) },
];
emit(rows);
