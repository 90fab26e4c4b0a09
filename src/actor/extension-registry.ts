import type { ExtensionIdFor } from "./api.js";

/** One system's extensions: at most one instance per key. */
export class ExtensionRegistry<S extends { readonly name: string }> {
  private readonly instances = new Map<string, unknown>();
  private readonly creating = new Set<string>();

  constructor(private readonly system: S) {}

  get<T>(id: ExtensionIdFor<T, S>): T {
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

  register<T>(id: ExtensionIdFor<T, S>, instance: T): void {
    if (this.instances.has(id.key) || this.creating.has(id.key)) {
      throw new Error(`extension ${id.key} is already registered on actor system ${this.system.name}`);
    }
    this.instances.set(id.key, instance);
  }

  find<T>(id: ExtensionIdFor<T, S>): T | undefined {
    return this.instances.get(id.key) as T | undefined;
  }
}
