/**
 * A wrapper class around a message for the entity `key` of a recipient that routes by key (sharding's
 * envelopes). Remoting carries its key and forward count in the envelope itself (the stream's key table)
 * and only the inner message as payload; the receiver wraps the message again with `wrap`.
 */
export interface KeyedCodec<W extends object> {
  key(wrapper: W): string;
  message(wrapper: W): unknown;
  /** Forwards between recipients so far (0 for a wrapper that has not been forwarded). */
  hops(wrapper: W): number;
  wrap(key: string, message: unknown, hops: number): W;
}

type AnyClass = abstract new (...args: never[]) => object;

/** The keyed wrapper classes of one node (one codec for all of them). */
export class KeyedWrappers {
  /** The wrapper classes' prototypes: a few, so a scan beats a Map on every message sent. */
  private readonly prototypes: object[] = [];
  private codec: KeyedCodec<object> | undefined;

  register<W extends object>(classes: readonly AnyClass[], codec: KeyedCodec<W>): void {
    if (this.codec !== undefined && this.codec !== (codec as unknown)) throw new Error("registerKeyed: another keyed codec is registered");
    this.codec = codec;
    for (const ctor of classes) if (!this.prototypes.includes(ctor.prototype as object)) this.prototypes.push(ctor.prototype as object);
  }

  /** The codec of `message` when it is an instance of a keyed wrapper class (exactly, not a subclass). */
  of(message: unknown): KeyedCodec<object> | undefined {
    const prototypes = this.prototypes;
    if (prototypes.length === 0 || typeof message !== "object" || message === null) return undefined;
    const prototype = Object.getPrototypeOf(message) as object;
    for (let i = 0; i < prototypes.length; i++) if (prototypes[i] === prototype) return this.codec;
    return undefined;
  }

  /** The codec that wraps keyed messages arriving here; undefined before one is registered. */
  get receiving(): KeyedCodec<object> | undefined {
    return this.codec;
  }
}
