import type { ExtensionIdFor } from "../actor/api.js";
import type { ActorRef } from "../actor/ref.js";
import type { ActorSystem } from "../actor/system.js";
import { nodeOf } from "./cluster-node.js";
import { changedKeys, noListings, refsOf, type Listings } from "./listing.js";
import { Deregister, RECEPTIONIST_NAME, receptionistActor, Register, registerReceptionistProtocol } from "./receptionist-actor.js";
import type { ServiceKey } from "./service-key.js";

/**
 * `system.receptionist`: actors register under a `ServiceKey`; every node finds them. Listings spread
 * through the cluster (within about a second); an actor that stops, or whose node is removed, drops out.
 * Every node runs a receptionist (it starts with the node).
 */
export class Receptionist {
  private listings: Listings = noListings;
  private readonly listeners = new Map<string, Set<(refs: readonly ActorRef<unknown>[]) => void>>();
  private readonly actor: ActorRef<unknown>;
  private readonly log: ActorSystem["log"];

  static of(system: ActorSystem): Receptionist {
    return system.extension(ReceptionistId);
  }

  constructor(system: ActorSystem) {
    const node = nodeOf(system);
    this.log = system.log;
    registerReceptionistProtocol(node.remoting.serialization);
    this.actor = system.spawnSystemActor(
      receptionistActor(node, (next) => this.changed(next)),
      RECEPTIONIST_NAME,
    );
  }

  register<M>(key: ServiceKey<M>, ref: ActorRef<M>): void {
    this.actor.tell(new Register(key.id, ref));
  }

  deregister<M>(key: ServiceKey<M>, ref: ActorRef<M>): void {
    this.actor.tell(new Deregister(key.id, ref));
  }

  /** The refs registered under `key` in the cluster, as this node knows them now. */
  find<M>(key: ServiceKey<M>): readonly ActorRef<M>[] {
    return refsOf(this.listings, key.id);
  }

  /** Calls `listener` with the listing of `key` now and after each change; returns the unsubscribe. */
  subscribe<M>(key: ServiceKey<M>, listener: (refs: readonly ActorRef<M>[]) => void): () => void {
    let set = this.listeners.get(key.id);
    if (set === undefined) this.listeners.set(key.id, (set = new Set()));
    const entry = listener;
    set.add(entry);
    listener(this.find(key));
    return () => void set.delete(entry);
  }

  private changed(next: Listings): void {
    const previous = this.listings;
    this.listings = next;
    if (this.listeners.size === 0) return;
    for (const keyId of changedKeys(previous, next)) {
      const refs = refsOf(next, keyId);
      for (const listener of this.listeners.get(keyId) ?? []) {
        try {
          listener(refs);
        } catch (error) {
          this.log.error(`a receptionist subscriber of "${keyId}" failed`, error);
        }
      }
    }
  }
}

export const ReceptionistId: ExtensionIdFor<Receptionist, ActorSystem> = {
  key: "casty.Receptionist",
  create: (system) => new Receptionist(system),
};
