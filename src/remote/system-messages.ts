import type * as pb from "../../gen/casty/v1/watch.js";
import type { Scheduler, TimerHandle } from "../actor/scheduler.js";

export const SYSTEM_MESSAGE = "casty.v1.SystemMessage";
export const SYSTEM_ACK = "casty.v1.SystemAck";

export type SystemPayload = NonNullable<pb.SystemMessage["message"]>;
export type SystemMessageFrame = pb.SystemMessage & { $type: typeof SYSTEM_MESSAGE };
export type SystemAckFrame = pb.SystemAck & { $type: typeof SYSTEM_ACK };

/** Unacknowledged system messages are sent again this often. */
export const SYSTEM_RESEND_MS = 1000;

export interface SystemMessageHost {
  /** Actor URI prefix of this node. */
  readonly selfNode: string;
  readonly uid: bigint;
  readonly scheduler: Scheduler;
  /** Sends a frame to the remote-watch actor of `node` (a URI prefix). */
  send(node: string, frame: SystemMessageFrame | SystemAckFrame): void;
  /** Runs a received message, once, in the order its sender sent it. */
  process(from: string, payload: SystemPayload): void;
}

interface Outbox {
  next: bigint;
  readonly unacked: SystemMessageFrame[];
}

interface Inbox {
  readonly uid: bigint;
  last: bigint;
}

/**
 * System messages between nodes (watch, unwatch, death notices) numbered per receiving node and sent
 * again until acknowledged, as Pekko's system message delivery: a connection that breaks in between
 * delays them but loses none. The receiver runs each once, in order, and acknowledges the highest.
 */
export class SystemMessageDelivery {
  private readonly outboxes = new Map<string, Outbox>();
  private readonly inboxes = new Map<string, Inbox>();
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly host: SystemMessageHost) {}

  send(node: string, payload: SystemPayload): void {
    if (this.stopped) return;
    let outbox = this.outboxes.get(node);
    if (outbox === undefined) this.outboxes.set(node, (outbox = { next: 1n, unacked: [] }));
    const frame: SystemMessageFrame = {
      $type: SYSTEM_MESSAGE,
      fromNode: this.host.selfNode,
      fromUid: this.host.uid,
      seqNr: outbox.next++,
      message: payload,
      unacknowledgedFrom: outbox.unacked[0]?.seqNr ?? outbox.next - 1n,
    };
    outbox.unacked.push(frame);
    this.host.send(node, frame);
    this.timer ??= this.host.scheduler.setInterval(() => this.resend(), SYSTEM_RESEND_MS);
  }

  received(frame: pb.SystemMessage): void {
    const from = frame.fromNode;
    let inbox = this.inboxes.get(from);
    if (inbox === undefined || inbox.uid !== frame.fromUid) {
      this.inboxes.set(from, (inbox = { uid: frame.fromUid, last: frame.unacknowledgedFrom > 0n ? frame.unacknowledgedFrom - 1n : 0n }));
    } else if (frame.unacknowledgedFrom > inbox.last + 1n) {
      inbox.last = frame.unacknowledgedFrom - 1n; // the sender gave up the ones before (this node was unreachable)
    }
    // a duplicate (already run) or a gap (an earlier one is still on its way again): only acknowledged
    if (frame.seqNr === inbox.last + 1n && frame.message !== undefined) {
      inbox.last = frame.seqNr;
      this.host.process(from, frame.message);
    }
    this.host.send(from, { $type: SYSTEM_ACK, fromNode: this.host.selfNode, toUid: frame.fromUid, seqNr: inbox.last });
  }

  acknowledged(ack: pb.SystemAck): void {
    const outbox = this.outboxes.get(ack.fromNode);
    if (outbox === undefined || ack.toUid !== this.host.uid) return;
    const unacked = outbox.unacked;
    let confirmed = 0;
    while (confirmed < unacked.length && unacked[confirmed].seqNr <= ack.seqNr) confirmed++;
    unacked.splice(0, confirmed);
    this.stopTimerIfIdle();
  }

  /** The node at `node` is gone (removed, or a new incarnation): nothing more goes to or comes from it. */
  forget(node: string): void {
    this.outboxes.delete(node);
    this.inboxes.delete(node);
    this.stopTimerIfIdle();
  }

  /**
   * Drops what waits for `node`'s acknowledgement (it was unreachable too long) but keeps the numbering,
   * so that the node, if it comes back, skips the dropped ones and runs what follows.
   */
  giveUp(node: string): void {
    const outbox = this.outboxes.get(node);
    if (outbox === undefined) return;
    outbox.unacked.length = 0;
    this.stopTimerIfIdle();
  }

  /** Messages waiting for an acknowledgement, per node (for tests and shutdown logs). */
  get pending(): number {
    let count = 0;
    for (const outbox of this.outboxes.values()) count += outbox.unacked.length;
    return count;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.host.scheduler.clearInterval(this.timer);
    this.timer = undefined;
  }

  private resend(): void {
    for (const [node, outbox] of this.outboxes) {
      for (const frame of outbox.unacked) this.host.send(node, { ...frame, unacknowledgedFrom: outbox.unacked[0].seqNr });
    }
  }

  private stopTimerIfIdle(): void {
    if (this.timer === undefined || this.pending > 0) return;
    this.host.scheduler.clearInterval(this.timer);
    this.timer = undefined;
  }
}
