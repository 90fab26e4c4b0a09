// Seeded random gRPC frames for the fuzz tests (test/fuzz, test/gateway) and raw calls that send them.
// Every call is bounded: it ends with its status or is cancelled after CALL_TIMEOUT_MS.
import type * as grpc from "@grpc/grpc-js";
import { BinaryWriter } from "@bufbuild/protobuf/wire";

const CALL_TIMEOUT_MS = 400;

/** mulberry32: the same seed gives the same frames on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Fuzzer {
  constructor(private readonly random: () => number) {}

  int(below: number): number {
    return Math.floor(this.random() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }

  string(): string {
    return this.pick(["", "x".repeat(70_000), "bad host!", "::", "[", "é€😀", "a".repeat(this.int(20)), "other", "test"]);
  }

  /** Random fields with random wire types: well-formed protobuf of no message in particular. */
  fields(depth = 0): Uint8Array {
    const writer = new BinaryWriter();
    for (let i = this.int(6); i >= 0; i--) {
      const field = 1 + this.int(8);
      switch (this.int(depth < 2 ? 5 : 4)) {
        case 0:
          writer.uint32((field << 3) | 0).uint64(BigInt(this.int(2 ** 31)) * BigInt(this.int(2 ** 31)));
          break;
        case 1:
          writer.uint32((field << 3) | 1).fixed64(BigInt(this.int(2 ** 31)));
          break;
        case 2:
          writer.uint32((field << 3) | 2).string(this.string());
          break;
        case 3:
          writer.uint32((field << 3) | 5).fixed32(this.int(2 ** 31));
          break;
        default:
          writer.uint32((field << 3) | 2).bytes(this.fields(depth + 1));
      }
    }
    return writer.finish();
  }

  /** One frame: a mutation of `valid`, or something made up. */
  frame(valid: readonly Uint8Array[]): Uint8Array {
    const base = this.pick(valid);
    switch (this.int(6)) {
      case 0:
        return base.subarray(0, this.int(base.length + 1)); // truncated
      case 1: {
        const flipped = Uint8Array.from(base);
        for (let i = 1 + this.int(4); i > 0 && flipped.length > 0; i--) flipped[this.int(flipped.length)] = this.int(256);
        return flipped;
      }
      case 2:
        return this.bytes(this.int(64)); // garbage
      case 3:
        return this.fields();
      case 4:
        return Uint8Array.from([...base, ...this.fields()]); // valid, then unknown or repeated fields
      default:
        return base;
    }
  }
}

const identity = (b: Buffer) => b;

/** Unary call with raw bytes; resolves when answered either way. */
export function unary(client: grpc.Client, path: string, frame: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, identity, identity, Buffer.from(frame), { deadline: Date.now() + CALL_TIMEOUT_MS }, () => resolve());
  });
}

/** Bidi stream with raw frames; resolves at the call's status (cancelled if the node keeps it open). */
export function stream(client: grpc.Client, path: string, frames: Uint8Array[]): Promise<void> {
  return new Promise((resolve) => {
    const call = client.makeBidiStreamRequest(path, identity, identity);
    const timer = setTimeout(() => call.cancel(), CALL_TIMEOUT_MS);
    call.on("data", () => undefined);
    call.on("error", () => undefined);
    call.on("status", () => (clearTimeout(timer), resolve()));
    for (const frame of frames) call.write(Buffer.from(frame));
    call.end();
  });
}

export function serverStream(client: grpc.Client, path: string, frame: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const call = client.makeServerStreamRequest(path, identity, identity, Buffer.from(frame));
    const timer = setTimeout(() => call.cancel(), CALL_TIMEOUT_MS);
    call.on("data", () => undefined);
    call.on("error", () => undefined);
    call.on("status", () => (clearTimeout(timer), resolve()));
  });
}
