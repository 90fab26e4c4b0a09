import type { Behavior, ExtensionIdFor } from "../actor/api.js";
import { InvalidOptionError, requirePositive } from "../actor/errors.js";
import type { ActorRef } from "../actor/ref.js";
import type { ActorSystem } from "../actor/system.js";
import { nodeOf, type ClusterNode } from "./cluster-node.js";
import { managerName, singletonManager } from "./singleton-manager.js";
import { registerSingletonProtocol } from "./singleton-protocol.js";

export interface SingletonOptions {
  /** Only nodes with this role run the instance. */
  readonly role?: string;
  /** Messages held while the instance moves or starts (default 10,000); more become dead letters. */
  readonly bufferSize?: number;
}

/** Cluster singletons of one node: one manager per name (start the same names on every node). */
export class Singletons {
  private readonly node: ClusterNode;
  private readonly refs = new Map<string, ActorRef<unknown>>();

  static of(system: ActorSystem): Singletons {
    return system.extension(SingletonsId);
  }

  constructor(system: ActorSystem) {
    this.node = nodeOf(system);
    registerSingletonProtocol(this.node.remoting.serialization);
  }

  /**
   * A ref that reaches the one instance of `behavior` in the cluster, which runs on the oldest Up node
   * (with `role`). Every node calls this with the same name; messages sent while the instance moves
   * are held (bounded) and delivered once it runs again.
   */
  start<M>(behavior: Behavior<M>, name: string, options: SingletonOptions = {}): ActorRef<M> {
    if (typeof name !== "string" || name.length === 0) throw new InvalidOptionError("a singleton needs a non-empty name");
    if (this.refs.has(name)) throw new InvalidOptionError(`singleton "${name}" is already started on this node`);
    const bufferSize = requirePositive(options.bufferSize ?? 10_000, "bufferSize", { integer: true });
    const ref = this.node.system.spawnSystemActor(singletonManager(this.node, behavior, { name, role: options.role, bufferSize }), managerName(name));
    this.refs.set(name, ref);
    return ref;
  }
}

export const SingletonsId: ExtensionIdFor<Singletons, ActorSystem> = {
  key: "casty.Singletons",
  create: (system) => new Singletons(system),
};
