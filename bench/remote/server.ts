// Remote bench server (its own process): a RemoteActorSystem on 127.0.0.1 with a sink actor (counts
// ticks and checks their order) and an echo actor (answers pings). Prints {"port": n} when ready;
// exits when its stdin ends (startChild's stop()).
import { Behaviors, RemoteActorSystem } from "../../src/index.js";
import { emit } from "../harness.js";
import { SYSTEM, type Ping, type SinkMsg } from "./protocol.js";

process.env.CASTY_LOG_LEVEL ??= "error";
const system = await RemoteActorSystem.start({ name: SYSTEM, host: "127.0.0.1", port: 0, logLevel: "error" });

let received = 0;
let outOfOrder = 0;
system.spawn(
  Behaviors.receive<SinkMsg>((_ctx, msg) => {
    if (msg.kind === "tick") {
      if (msg.n !== received) outOfOrder++;
      received++;
    } else if (msg.kind === "start") {
      received = 0;
      outOfOrder = 0;
    } else {
      msg.replyTo.tell({ received, outOfOrder });
    }
    return Behaviors.same();
  }),
  "sink",
);

system.spawn(
  Behaviors.receive<Ping>((_ctx, msg) => {
    msg.replyTo.tell({ kind: "pong", n: msg.n });
    return Behaviors.same();
  }),
  "echo",
);

emit({ port: system.port });

let exiting = false;
const exit = (): void => {
  if (exiting) return;
  exiting = true;
  void Promise.race([system.shutdown(), new Promise((r) => setTimeout(r, 2000))]).finally(() => process.exit(0));
};
process.stdin.on("end", exit).on("close", exit).resume();
setTimeout(exit, 600_000).unref(); // bounded even if the parent forgets us
