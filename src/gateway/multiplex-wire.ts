// The frames of GatewayService.Multiplex as both ends write them: each call (client) or result (node)
// is encoded straight into the frame of its event-loop turn, its payload included, with no object per
// entry; the frame goes out when the turn ends, or when the previous frame's write is done (as the
// remoting's batches do). Reading uses the generated decoders.
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { openForks, rollbackWriter, writerPosition, type Serialization } from "../serialization/index.js";
import { takeWritten } from "../serialization/writer-state.js";
import { TYPE_URL_PREFIX } from "./payload.js";

// Protobuf tags ((field << 3) | wire type) of gateway.proto's Multiplex messages.
export const MUX = {
  /** MultiplexRequest.calls, MultiplexResponse.results */
  entry: (1 << 3) | 2,
  /** MultiplexCall.id, MultiplexResult.id */
  id: (1 << 3) | 0,
  tell: (2 << 3) | 2,
  ask: (3 << 3) | 2,
  cancel: (4 << 3) | 2,
  timeout: (5 << 3) | 0,
  /** MultiplexCall.traceparent */
  traceparent: (6 << 3) | 2,
  /** MultiplexResult.error */
  error: (4 << 3) | 2,
  /** TellRequest / AskRequest */
  region: (1 << 3) | 2,
  entityId: (2 << 3) | 2,
  message: (3 << 3) | 2,
  /** AskResponse.reply */
  reply: (1 << 3) | 2,
  anyTypeUrl: (1 << 3) | 2,
  anyValue: (2 << 3) | 2,
  /** CallError */
  errorCode: (1 << 3) | 0,
  errorMessage: (2 << 3) | 2,
  errorNotProcessed: (3 << 3) | 0,
} as const;

/** Bytes after which a frame is written at once rather than at the end of the turn. */
export const FRAME_TARGET_BYTES = 128 * 1024;

/** Room a stream's frames need beyond one payload of the largest size. */
export const FRAME_ROOM = FRAME_TARGET_BYTES + 64 * 1024;

const typeUrls = new Map<string, string>();
const typeUrlOf = (manifest: string): string => {
  let url = typeUrls.get(manifest);
  if (url === undefined) typeUrls.set(manifest, (url = TYPE_URL_PREFIX + manifest)); // manifests are the registered types: few
  return url;
};

/**
 * The entries of one frame being written, and the frame's turn: `commit` schedules the write (a
 * microtask), which waits while an earlier frame is still being written so that busy streams carry
 * full frames and an idle one sends a lone entry at once.
 */
export class FrameWriter {
  readonly writer = new BinaryWriter();
  private count = 0;
  private mark = 0;
  private marked = 0;
  private writing = 0;
  private scheduled = false;
  private closed = false;
  private readonly flushNow = (): void => this.flush();
  private readonly written = (): void => {
    if (--this.writing === 0 && this.count > 0 && !this.scheduled) this.send();
  };

  constructor(
    private readonly serialization: Serialization,
    private readonly maxMessageSize: number,
    /** Writes a frame; calls `done` once it went to the socket. */
    private readonly write: (frame: Buffer, done: () => void) => void,
  ) {}

  /** Opens an entry with `id`; `commit` or `abort` ends it. */
  begin(id: number): BinaryWriter {
    const writer = this.writer;
    this.mark = writerPosition(writer);
    this.marked = openForks(writer);
    writer.uint32(MUX.entry).fork();
    if (id !== 0) writer.uint32(MUX.id).uint32(id);
    return writer;
  }

  commit(): void {
    this.writer.join();
    this.count++;
    if (this.closed) this.drop();
    else if (writerPosition(this.writer) >= FRAME_TARGET_BYTES) this.send();
    else if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushNow);
    }
  }

  /** Forgets the entry opened last. */
  abort(): void {
    rollbackWriter(this.writer, { pos: this.mark, forks: this.marked });
  }

  /**
   * Writes `value` as a google.protobuf.Any in field `tag`, serialized in place; `oversize` makes
   * the error for a payload over the message size.
   */
  any(tag: number, value: unknown, oversize: (bytes: number, limit: number) => Error): void {
    const writer = this.writer;
    writer.uint32(tag).fork().uint32(MUX.anyValue).fork();
    const start = writerPosition(writer);
    const manifest = this.serialization.serializeInto(value, writer);
    const size = writerPosition(writer) - start;
    if (size > this.maxMessageSize) throw oversize(size, this.maxMessageSize);
    writer.join().uint32(MUX.anyTypeUrl).string(typeUrlOf(manifest)).join();
  }

  /** Nothing more is written: the stream is gone, or ends after `pending` entries written now. */
  close(pending: "send" | "drop"): void {
    if (pending === "send") this.send();
    this.closed = true;
    this.drop();
  }

  private flush(): void {
    this.scheduled = false;
    if (this.writing === 0) this.send();
  }

  private send(): void {
    if (this.count === 0 || this.closed) return;
    this.count = 0;
    this.writing++;
    this.write(takeWritten(this.writer) as Buffer, this.written);
  }

  private drop(): void {
    this.count = 0;
    rollbackWriter(this.writer, { pos: 0, forks: 0 });
  }
}
