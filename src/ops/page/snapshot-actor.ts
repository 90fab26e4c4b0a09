import type { ActorRef } from "../../actor/ref.js";
import { LocalBehaviors, type Behavior } from "../../actor/behavior.js";
import type { NodeSnapshot } from "./node-snapshot.js";

/** The system actor on every node that answers the cluster page of any node with this node's snapshot. */
export const SNAPSHOT_ACTOR = "casty-ops";

/** Plain data, so that it needs no registration to travel between nodes. */
export interface SnapshotRequest {
  readonly replyTo: ActorRef<NodeSnapshot>;
}

export function snapshotActor(snapshot: () => NodeSnapshot): Behavior<SnapshotRequest> {
  return LocalBehaviors.receive<SnapshotRequest>((_ctx, request) => {
    request.replyTo.tell(snapshot());
    return LocalBehaviors.same();
  });
}
