import * as pb from "../../gen/casty/v1/watch.js";
import { LocalBehaviors } from "../actor/behavior.js";
import type { ActorRef, DeathWatcher } from "../actor/ref.js";
import type { ActorSystem } from "../actor/system.js";
import { Terminated } from "../actor/terminated.js";
import type { Serialization } from "../serialization/index.js";
import { splitActorUri } from "./address.js";
import { SYSTEM_ACK, SYSTEM_MESSAGE, SystemMessageDelivery, type SystemAckFrame, type SystemMessageFrame, type SystemPayload } from "./system-messages.js";

export const REMOTE_WATCH_PATH = "/system/remote-watch";

type WatchMessage = SystemMessageFrame | SystemAckFrame | Terminated;

/** What remote death watch needs from the node's remoting. */
export interface RemoteWatchHost {
  readonly serialization: Serialization;
  readonly uid: bigint;
  refFor<M>(address: string): ActorRef<M>;
}

/**
 * Death watch across nodes. A local actor watching a remote ref registers here; the target's node
 * watches the target on its behalf (in its `/system/remote-watch` actor) and sends a DeathNotice when
 * it stops. Watch, Unwatch and DeathNotice are system messages, re-sent until acknowledged, so a broken
 * connection does not lose them. When a whole node goes (removed from the cluster, or restarted as a
 * new incarnation; without a cluster, also unreachable for `undeliveredTimeout`), every actor watched
 * there counts as terminated.
 */
export class RemoteWatch {
  /** Remote targets (by URI) → the local watchers, each with the ref object it watched. */
  private readonly watched = new Map<string, Map<DeathWatcher, ActorRef<never>>>();
  /** Local targets (by path) → the nodes watching them. */
  private readonly watchers = new Map<string, Set<string>>();
  private readonly delivery: SystemMessageDelivery;
  /** Whether a node unreachable for `undeliveredTimeout` counts as gone (always in plain remoting; a cluster says). */
  private unreachableIsGone: (nodePrefix: string) => boolean = () => true;

  constructor(
    private readonly system: ActorSystem,
    remoting: RemoteWatchHost,
  ) {
    remoting.serialization.registerProtobuf(SYSTEM_MESSAGE, pb.SystemMessage);
    remoting.serialization.registerProtobuf(SYSTEM_ACK, pb.SystemAck);
    let watchLocally: (target: ActorRef<never>, watch: boolean) => void = () => undefined;
    this.delivery = new SystemMessageDelivery({
      selfNode: system.addressPrefix,
      uid: remoting.uid,
      scheduler: system.scheduler,
      send: (node, frame) => remoting.refFor(node + REMOTE_WATCH_PATH).tell(frame),
      process: (_from, payload) => {
        if (payload.$case === "watch") this.watchLocal(payload.value, (target) => watchLocally(target, true));
        else if (payload.$case === "unwatch") this.unwatchLocal(payload.value, (target) => watchLocally(target, false));
        else this.notify(payload.value.target);
      },
    });
    system.spawnSystemActor(
      LocalBehaviors.setup<WatchMessage>((ctx) => {
        watchLocally = (target, watch) => (watch ? ctx.watch(target) : ctx.unwatch(target));
        return LocalBehaviors.receive<WatchMessage>((_ctx, message) => {
          if (message instanceof Terminated) this.localTerminated(message.ref);
          else if (message.$type === SYSTEM_MESSAGE) this.delivery.received(message);
          else this.delivery.acknowledged(message);
          return LocalBehaviors.same();
        });
      }),
      REMOTE_WATCH_PATH.slice("/system/".length),
    );
  }

  /** Stops re-sending (shutdown). */
  stop(): void {
    this.delivery.stop();
  }

  /** Local actors this node watches on behalf of other nodes. */
  get watchedForOthers(): number {
    return this.watchers.size;
  }

  /** System messages not acknowledged yet. */
  get pending(): number {
    return this.delivery.pending;
  }

  watch(target: ActorRef<never>, watcher: DeathWatcher): void {
    let local = this.watched.get(target.address);
    if (local === undefined) {
      this.watched.set(target.address, (local = new Map<DeathWatcher, ActorRef<never>>()));
      this.send(target.address, { $case: "watch", value: { targetPath: target.path, watcherNode: this.system.addressPrefix } });
    }
    local.set(watcher, target);
  }

  unwatch(target: ActorRef<never>, watcher: DeathWatcher): void {
    const local = this.watched.get(target.address);
    if (local === undefined || !local.delete(watcher) || local.size > 0) return;
    this.watched.delete(target.address);
    this.send(target.address, { $case: "unwatch", value: { targetPath: target.path, watcherNode: this.system.addressPrefix } });
  }

  /** Every watched actor of the node at `nodePrefix` (`casty://name@host:port`) is gone. */
  nodeGone(nodePrefix: string): void {
    this.delivery.forget(nodePrefix);
    this.notifyNode(nodePrefix);
    for (const [path, nodes] of this.watchers) {
      nodes.delete(nodePrefix);
      if (nodes.size === 0) this.watchers.delete(path);
    }
  }

  /**
   * The node at `nodePrefix` was unreachable for `undeliveredTimeout`. Unless the host says otherwise
   * (a cluster member), its watched actors count as terminated and what waits for its acknowledgement
   * is given up: nothing is re-sent to it for ever.
   */
  nodeUnreachable(nodePrefix: string): void {
    if (!this.unreachableIsGone(nodePrefix)) return;
    this.delivery.giveUp(nodePrefix);
    this.notifyNode(nodePrefix);
  }

  /** Decides from now on whether an unreachable node counts as gone (a cluster: only when it is no member). */
  decideUnreachable(isGone: (nodePrefix: string) => boolean): void {
    this.unreachableIsGone = isGone;
  }

  private notifyNode(nodePrefix: string): void {
    for (const address of [...this.watched.keys()]) if (address.startsWith(`${nodePrefix}/`)) this.notify(address);
  }

  private notify(address: string): void {
    const local = this.watched.get(address);
    if (local === undefined) return;
    this.watched.delete(address);
    for (const [watcher, ref] of local) watcher.notifyTerminated(ref);
  }

  private watchLocal(message: pb.Watch, watch: (target: ActorRef<never>) => void): void {
    const target = this.system.lookup<never>(message.targetPath);
    if (target === undefined) {
      this.delivery.send(message.watcherNode, { $case: "deathNotice", value: { target: this.system.addressPrefix + message.targetPath } });
      return;
    }
    let nodes = this.watchers.get(message.targetPath);
    if (nodes === undefined) {
      this.watchers.set(message.targetPath, (nodes = new Set()));
      watch(target);
    }
    nodes.add(message.watcherNode);
  }

  private unwatchLocal(message: pb.Unwatch, unwatch: (target: ActorRef<never>) => void): void {
    const nodes = this.watchers.get(message.targetPath);
    if (nodes === undefined || !nodes.delete(message.watcherNode) || nodes.size > 0) return;
    this.watchers.delete(message.targetPath);
    const target = this.system.lookup<never>(message.targetPath);
    if (target !== undefined) unwatch(target);
  }

  private localTerminated(target: ActorRef<never>): void {
    const nodes = this.watchers.get(target.path);
    if (nodes === undefined) return;
    this.watchers.delete(target.path);
    for (const node of nodes) this.delivery.send(node, { $case: "deathNotice", value: { target: target.address } });
  }

  private send(targetAddress: string, payload: SystemPayload): void {
    this.delivery.send(splitActorUri(targetAddress).node, payload);
  }
}
