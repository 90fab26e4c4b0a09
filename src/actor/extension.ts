import type { ActorSystem } from "./system.js";

/** Identifies a feature attached to a system (remoting, cluster, sharding, …) and how to build it. */
export interface ExtensionId<T> {
  /** Unique, e.g. "casty.Remoting". */
  readonly key: string;
  /** Called once, on the first lookup through `system.extension(id)`. */
  create(system: ActorSystem): T;
}

/** One system's extensions: at most one instance per key. */
export class Extensions {
  private readonly instances = new Map<string, unknown>();
  private readonly creating = new Set<string>();

  constructor(private readonly system: ActorSystem) {}

  get<T>(id: ExtensionId<T>): T {
    if (this.instances.has(id.key)) return this.instances.get(id.key) as T;
    if (this.creating.has(id.key)) throw new Error(`extension ${id.key} needs itself while it is being created`);
    this.creating.add(id.key);
    try {
      const instance = id.create(this.system);
      this.instances.set(id.key, instance);
      return instance;
    } finally {
      this.creating.delete(id.key);
    }
  }

  register<T>(id: ExtensionId<T>, instance: T): void {
    if (this.instances.has(id.key) || this.creating.has(id.key)) {
      throw new Error(`extension ${id.key} is already registered on actor system ${this.system.name}`);
    }
    this.instances.set(id.key, instance);
  }

  find<T>(id: ExtensionId<T>): T | undefined {
    return this.instances.get(id.key) as T | undefined;
  }
}
