import { describe, expect, it } from "vitest";
import { DelayedAck } from "../../src/remote/delayed-ack.js";
import { ACK_DELAY_MS } from "../../src/remote/protocol.js";
import { VirtualScheduler } from "../support/virtual-scheduler.js";

/** A virtual scheduler that counts the timers armed on it. */
function timerCountingVirtualScheduler(): { scheduler: VirtualScheduler; armed: () => number } {
  const scheduler = new VirtualScheduler(1, { microtasks: 1 });
  let armed = 0;
  const { setInterval, setTimeout } = scheduler;
  scheduler.setInterval = (fn, interval) => (armed++, setInterval(fn, interval));
  scheduler.setTimeout = (fn, delay) => (armed++, setTimeout(fn, delay));
  return { scheduler, armed: () => armed };
}

describe("DelayedAck", () => {
  it("acks within the delay, one ack for the batches delivered meanwhile", async () => {
    const { scheduler } = timerCountingVirtualScheduler();
    const acks: number[] = [];
    const ack = new DelayedAck(scheduler, () => acks.push(scheduler.now()));
    ack.delivered();
    ack.delivered();
    await scheduler.advance(ACK_DELAY_MS - 1);
    expect(acks).toEqual([]);
    await scheduler.advance(1);
    expect(acks).toEqual([ACK_DELAY_MS]);
    ack.delivered();
    await scheduler.advance(ACK_DELAY_MS);
    expect(acks).toEqual([ACK_DELAY_MS, 2 * ACK_DELAY_MS]);
    ack.stop();
  });

  it("keeps one timer while batches keep coming, instead of one per ack", async () => {
    const { scheduler, armed } = timerCountingVirtualScheduler();
    let acks = 0;
    const ack = new DelayedAck(scheduler, () => acks++);
    for (let i = 0; i < 100; i++) {
      ack.delivered();
      await scheduler.advance(1);
    }
    expect(acks).toBeGreaterThanOrEqual(100 / ACK_DELAY_MS - 1);
    expect(armed()).toBe(1);
    ack.stop();
  });

  it("stops its timer when deliveries stop, and starts it again for the next batch", async () => {
    const { scheduler, armed } = timerCountingVirtualScheduler();
    let acks = 0;
    const ack = new DelayedAck(scheduler, () => acks++);
    ack.delivered();
    await scheduler.advance(10 * ACK_DELAY_MS);
    expect(acks).toBe(1);
    ack.delivered();
    await scheduler.advance(ACK_DELAY_MS);
    expect(acks).toBe(2);
    expect(armed()).toBe(2); // the idle timer was stopped, so the second batch armed a new one
    ack.stop();
    ack.delivered();
    ack.stop();
    await scheduler.advance(10 * ACK_DELAY_MS);
    expect(acks).toBe(2);
  });
});
