import { context, ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Context, type Span } from "@opentelemetry/api";

/**
 * W3C trace context through the actors, with `@opentelemetry/api`: the context of the message an actor
 * processes now is `traced.current`, and only while a message that came with one runs; a tell meanwhile
 * carries it along (`Traced`), a remote tell puts it in the envelope. Without a tracer provider no span
 * records, `current` stays undefined, and the hot paths only read that one field.
 */
export const traced: {
  current: Context | undefined;
  /** `current` came with a message from another node (not yet processed here). */
  fromWire: boolean;
  /** A traced message was ever queued in this process: until then the mailboxes skip the check. */
  ever: boolean;
} = { current: undefined, fromWire: false, ever: false };

/** A message queued with the trace context of its sender. */
export class Traced {
  constructor(
    readonly message: unknown,
    readonly context: Context,
    /** It came from another node: its processing here is a span of its own. */
    readonly fromWire: boolean,
  ) {}
}

/** The message itself, whether it was queued with a trace context or not. */
export function untraced(message: unknown): unknown {
  return message instanceof Traced ? message.message : message;
}

const tracer = trace.getTracer("casty");

/** A span under `parent` (default: the current message's context); undefined when nothing records it. */
export function startSpan(name: string, kind: SpanKind, attributes: Record<string, string>, parent = traced.current ?? context.active()): Span | undefined {
  const span = tracer.startSpan(name, { kind, attributes }, parent);
  if (span.isRecording()) return span;
  span.end();
  return undefined;
}

/** Runs `body` with `span` as the current context (for the tells it makes), then restores the previous one. */
export function withSpan<T>(span: Span | undefined, body: () => T): T {
  if (span === undefined) return body();
  const previous = traced.current;
  traced.current = withinSpan(traced.current ?? context.active(), span);
  try {
    return body();
  } finally {
    traced.current = previous;
  }
}

/** `ctx` with `span` as its current span. */
export function withinSpan(ctx: Context, span: Span): Context {
  return trace.setSpan(ctx, span);
}

/** The `traceparent` header of `ctx`'s span (W3C trace context), or undefined when it has none. */
export function traceparentOf(ctx: Context): string | undefined {
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext === undefined) return undefined;
  const flags = (spanContext.traceFlags & (TraceFlags.SAMPLED as number)) === 0 ? "00" : "01";
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote parent a `traceparent` header names, or undefined for a malformed one. */
export function contextOf(traceparent: string): Context | undefined {
  const match = TRACEPARENT.exec(traceparent);
  if (match === null || /^0+$/.test(match[1]) || /^0+$/.test(match[2])) return undefined;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: match[1], spanId: match[2], traceFlags: parseInt(match[3], 16) & TraceFlags.SAMPLED, isRemote: true });
}

export { SpanKind };
