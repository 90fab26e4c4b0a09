import { InvalidOptionError, requirePositive } from "./errors.js";

export const MailboxOverflowStrategy = {
  /** Refuse the incoming message (default for bounded mailboxes). */
  dropNew: "dropNew",
  /** Drop the oldest queued message to make room. */
  dropOldest: "dropOldest",
  /** `await ref.offer(msg)` waits for room; a plain `tell` on a full mailbox is dropped. */
  backpressure: "backpressure",
} as const;
export type MailboxOverflowStrategy = (typeof MailboxOverflowStrategy)[keyof typeof MailboxOverflowStrategy];

export interface MailboxOptions {
  capacity?: number;
  overflow?: MailboxOverflowStrategy;
}

/** Mailbox configuration of one actor: unbounded unless a capacity is given. */
export class Mailbox {
  readonly capacity: number;
  readonly overflow: MailboxOverflowStrategy;

  constructor({ capacity = Infinity, overflow = MailboxOverflowStrategy.dropNew }: MailboxOptions = {}) {
    if (capacity !== Infinity) requirePositive(capacity, "mailbox capacity", { integer: true });
    if (!Object.values(MailboxOverflowStrategy).includes(overflow)) {
      throw new InvalidOptionError(`unknown mailbox overflow strategy: ${overflow}`);
    }
    this.capacity = capacity;
    this.overflow = overflow;
  }
}
