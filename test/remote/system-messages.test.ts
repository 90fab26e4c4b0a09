// System message delivery between two nodes over a link that can go down: what the sender gave up
// does not hold back what it sends later.
import { describe, expect, it } from "vitest";
import { SystemMessageDelivery, type SystemPayload } from "../../src/remote/system-messages.js";
import { VirtualScheduler } from "../support/virtual-scheduler.js";

const watch = (targetPath: string): SystemPayload => ({ $case: "watch", value: { targetPath, watcherNode: "casty://a@a:1" } });

function pair() {
  const scheduler = new VirtualScheduler(1);
  const link = { up: true };
  const processed: string[] = [];
  const nodes = new Map<string, SystemMessageDelivery>();
  const node = (selfNode: string, uid: bigint) => {
    const delivery = new SystemMessageDelivery({
      selfNode,
      uid,
      scheduler,
      send: (to, frame) => {
        if (!link.up) return;
        const peer = nodes.get(to);
        if (frame.$type === "casty.v1.SystemMessage") peer?.received(frame);
        else peer?.acknowledged(frame);
      },
      process: (_from, payload) => void processed.push(payload.$case === "watch" ? payload.value.targetPath : payload.$case),
    });
    nodes.set(selfNode, delivery);
    return delivery;
  };
  return { a: node("casty://a@a:1", 1n), b: node("casty://b@b:1", 2n), link, processed, scheduler };
}

describe("system message delivery", () => {
  it("runs what follows messages the sender gave up while the receiver was unreachable", async () => {
    const { a, b, link, processed, scheduler } = pair();
    a.send("casty://b@b:1", watch("/user/first"));
    link.up = false;
    a.send("casty://b@b:1", watch("/user/lost"));
    await scheduler.advance(2500); // re-sent, unacknowledged
    expect(a.pending).toBe(1);
    a.giveUp("casty://b@b:1");
    expect(a.pending).toBe(0);
    link.up = true;
    a.send("casty://b@b:1", watch("/user/after"));
    expect(processed).toEqual(["/user/first", "/user/after"]);
    expect(a.pending).toBe(0);
    a.stop();
    b.stop();
  });
});
