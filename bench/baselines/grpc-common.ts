// Shared by the raw gRPC baseline server and client: a bidi service with identity (Buffer) serializers,
// and pre-encoded batches laid out like casty.v1 ConnectRequest{batch: MessageBatch{..., envelopes}}.
import type * as grpc from "@grpc/grpc-js";
import { LatencyRecorder, type LatencyRound } from "../harness.js";

const identity = (b: Buffer): Buffer => b;
const bidi = (path: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path,
  requestStream: true,
  responseStream: true,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
});

/** push: the server counts envelopes by walking the framing and, when the client ends, replies with the
 *  count (float64 LE). pushDecoded: the same, but decodes each batch with the generated ts-proto code.
 *  echo: the server writes every message back as is. */
export const RAW_SERVICE = {
  push: bidi("/casty.bench.Raw/Push"),
  pushDecoded: bidi("/casty.bench.Raw/PushDecoded"),
  echo: bidi("/casty.bench.Raw/Echo"),
};

// ---- minimal protobuf encoding (lengths < 2^21 are enough here)
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
const lenField = (field: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(body.length)]), body]);
const varintField = (field: number, n: number): Buffer => Buffer.from([field << 3, ...varint(n)]);

/** One small envelope, 30 bytes: target_index=1, type_index=1, payload = 24 bytes. */
export const ENVELOPE = Buffer.concat([varintField(1, 1), varintField(2, 1), lenField(3, Buffer.alloc(24, 0x61))]);

/** ConnectRequest{ batch (2): MessageBatch{ strings (5) × 2, envelopes (4) × n } }. */
export function encodeBatch(n: number): Buffer {
  const parts = [lenField(5, Buffer.from("bench.Increment")), lenField(5, Buffer.from("/user/sink"))];
  for (let i = 0; i < n; i++) parts.push(lenField(4, ENVELOPE));
  return lenField(2, Buffer.concat(parts));
}

function readVarint(b: Buffer, pos: number): [value: number, next: number] {
  let v = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = b[pos++]!;
    v += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [v, pos];
}

/** Counts envelopes (field 4) in an encoded batch by walking the framing, as a receiver must. */
export function countEnvelopes(b: Buffer): number {
  let [, pos] = readVarint(b, 0); // outer tag (batch)
  [, pos] = readVarint(b, pos); // outer length
  let count = 0;
  while (pos < b.length) {
    const [tag, p1] = readVarint(b, pos);
    if ((tag & 7) !== 2) throw new Error(`unexpected wire type in tag ${tag}`);
    const [len, p2] = readVarint(b, p1);
    if (tag >>> 3 === 4) count++;
    pos = p2 + len;
  }
  return count;
}

/** A raw echo stream on `client`, sending ENVELOPE one round trip at a time. */
export function echoStream(client: grpc.Client) {
  const call = client.makeBidiStreamRequest(RAW_SERVICE.echo.path, RAW_SERVICE.echo.requestSerialize, RAW_SERVICE.echo.responseDeserialize);
  let wake: (() => void) | undefined;
  call.on("data", () => {
    const w = wake;
    wake = undefined;
    w?.();
  });
  const next = () => new Promise<void>((r) => (wake = r));
  return {
    call,
    async warmUp(count: number): Promise<void> {
      for (let i = 0; i < count; i++) {
        const p = next();
        call.write(ENVELOPE);
        await p;
      }
    },
    /** Up to maxSamples / maxMs round trips, each timed from the write (the reply's promise is made first). */
    async round(maxSamples: number, maxMs: number): Promise<LatencyRound> {
      const rec = new LatencyRecorder(maxSamples);
      const t0 = performance.now();
      while (!rec.full && performance.now() - t0 < maxMs) {
        const p = next();
        const t = performance.now();
        call.write(ENVELOPE);
        await p;
        rec.since(t);
      }
      const s = rec.summary();
      return { s, rate: (s.count / (performance.now() - t0)) * 1000 };
    },
  };
}
