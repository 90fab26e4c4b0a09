import * as pb from "../../gen/casty/v1/ask.js";
import { PromiseRef, replyRefOf } from "../actor/ask.js";
import { LocalBehaviors } from "../actor/behavior.js";
import { DeadLetter } from "../actor/events.js";
import type { ActorRef } from "../actor/ref.js";
import type { ActorSystem } from "../actor/system.js";
import type { Serialization } from "../serialization/index.js";
import { RemoteActorRef } from "./remote-ref.js";

export const ASKS_PATH = "/system/asks";
const ASK_UNDELIVERED = "casty.v1.AskUndelivered";
const TEMP = "/temp/";

type AskUndeliveredFrame = pb.AskUndelivered & { $type: typeof ASK_UNDELIVERED };

export interface AskNoticesHost {
  readonly serialization: Serialization;
  refFor<M>(address: string): ActorRef<M>;
}

/**
 * Fails an ask from another node at once when its request becomes a dead letter here: the request's
 * reply ref names the asking node, whose `/system/asks` actor rejects the ask with an
 * AskDeliveryError (as a local dead letter does) instead of letting it wait for its timeout.
 */
export function installAskNotices(system: ActorSystem, host: AskNoticesHost): void {
  host.serialization.registerProtobuf(ASK_UNDELIVERED, pb.AskUndelivered);
  system.spawnSystemActor(
    LocalBehaviors.receive<AskUndeliveredFrame>((_ctx, notice) => {
      const ask = system.lookup(notice.replyToPath);
      if (ask instanceof PromiseRef) ask.undelivered(undefined, notice.reason);
      return LocalBehaviors.same();
    }),
    ASKS_PATH.slice("/system/".length),
  );
  system.eventStream.subscribe(DeadLetter, (letter) => {
    const replyTo = replyRefOf(letter.message, RemoteActorRef);
    // a late reply to a remote ask is no request (its recipient is the reply ref itself)
    if (replyTo === undefined || !replyTo.path.startsWith(TEMP) || letter.recipient?.equals(replyTo) === true) return;
    const node = replyTo.address.slice(0, replyTo.address.length - replyTo.path.length);
    const reason = letter.recipient === undefined ? letter.reason : `${letter.reason}, at ${letter.recipient.address}`;
    host.refFor<AskUndeliveredFrame>(node + ASKS_PATH).tell({ $type: ASK_UNDELIVERED, replyToPath: replyTo.path, reason });
  });
}
