import * as pb from "../../gen/casty/v1/watch.js";
import { LocalBehaviors } from "../actor/behavior.js";
import type { ActorRef, DeathWatcher } from "../actor/ref.js";
import type { ActorSystem } from "../actor/system.js";
import { Terminated } from "../actor/terminated.js";
import type { Serialization } from "../serialization/index.js";
import { splitActorUri } from "./address.js";

const WATCH = "casty.v1.Watch";
const UNWATCH = "casty.v1.Unwatch";
const DEATH_NOTICE = "casty.v1.DeathNotice";
export const REMOTE_WATCH_PATH = "/system/remote-watch";

type WatchMessage =
  | (pb.Watch & { $type: typeof WATCH })
  | (pb.Unwatch & { $type: typeof UNWATCH })
  | (pb.DeathNotice & { $type: typeof DEATH_NOTICE })
  | Terminated;

/** What remote death watch needs from its node. */
export interface RemoteWatchHost extends ActorSystem {
  readonly serialization: Serialization;
  refFor<M>(address: string): ActorRef<M>;
}

/**
 * Death watch across nodes. A local actor watching a remote ref registers here; the target's node
 * watches the target on its behalf (in its `/system/remote-watch` actor) and sends a DeathNotice when
 * it stops. When a whole node goes (removed from the cluster, or restarted as a new incarnation),
 * every actor watched there counts as terminated.
 */
export class RemoteWatch {
  /** Remote targets (by URI) → the local watchers, each with the ref object it watched. */
  private readonly watched = new Map<string, Map<DeathWatcher, ActorRef<never>>>();
  /** Local targets (by path) → the nodes watching them. */
  private readonly watchers = new Map<string, Set<string>>();

  constructor(private readonly system: RemoteWatchHost) {
    system.serialization.registerProtobuf(WATCH, pb.Watch);
    system.serialization.registerProtobuf(UNWATCH, pb.Unwatch);
    system.serialization.registerProtobuf(DEATH_NOTICE, pb.DeathNotice);
    system.spawnSystemActor(
      LocalBehaviors.receive<WatchMessage>((ctx, message) => {
        if (message instanceof Terminated) this.localTerminated(message.ref);
        else if (message.$type === WATCH) this.watchLocal(message, (target) => ctx.watch(target));
        else if (message.$type === UNWATCH) this.unwatchLocal(message, (target) => ctx.unwatch(target));
        else this.notify(message.target);
        return LocalBehaviors.same();
      }),
      REMOTE_WATCH_PATH.slice("/system/".length),
    );
  }

  watch(target: ActorRef<never>, watcher: DeathWatcher): void {
    let local = this.watched.get(target.address);
    if (local === undefined) {
      this.watched.set(target.address, (local = new Map()));
      this.send(target.address, { $type: WATCH, targetPath: target.path, watcherNode: this.system.addressPrefix });
    }
    local.set(watcher, target);
  }

  unwatch(target: ActorRef<never>, watcher: DeathWatcher): void {
    const local = this.watched.get(target.address);
    if (local === undefined || !local.delete(watcher) || local.size > 0) return;
    this.watched.delete(target.address);
    this.send(target.address, { $type: UNWATCH, targetPath: target.path, watcherNode: this.system.addressPrefix });
  }

  /** Every watched actor of the node at `nodePrefix` (`casty://name@host:port`) is gone. */
  nodeGone(nodePrefix: string): void {
    for (const address of [...this.watched.keys()]) if (address.startsWith(`${nodePrefix}/`)) this.notify(address);
    for (const [path, nodes] of this.watchers) {
      nodes.delete(nodePrefix);
      if (nodes.size === 0) this.watchers.delete(path);
    }
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
      this.system.refFor(message.watcherNode + REMOTE_WATCH_PATH).tell({ $type: DEATH_NOTICE, target: this.system.addressPrefix + message.targetPath });
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
    for (const node of nodes) this.system.refFor(node + REMOTE_WATCH_PATH).tell({ $type: DEATH_NOTICE, target: target.address });
  }

  private send(targetAddress: string, message: WatchMessage): void {
    this.system.refFor(splitActorUri(targetAddress).node + REMOTE_WATCH_PATH).tell(message);
  }
}
