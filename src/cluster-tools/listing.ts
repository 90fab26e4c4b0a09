import type { ActorRef } from "../actor/ref.js";

/** Registered refs by service key id: this node's own, and each other node's as it last sent them. */
export interface Listings {
  readonly local: ReadonlyMap<string, readonly ActorRef<unknown>[]>;
  readonly remote: ReadonlyMap<string, ReadonlyMap<string, readonly ActorRef<unknown>[]>>;
}

export const noListings: Listings = { local: new Map(), remote: new Map() };

/** Every ref registered under `keyId` anywhere in the cluster, each once. */
export function refsOf(listings: Listings, keyId: string): readonly ActorRef<unknown>[] {
  const refs: ActorRef<unknown>[] = [...(listings.local.get(keyId) ?? [])];
  for (const node of listings.remote.values()) {
    for (const ref of node.get(keyId) ?? []) if (!refs.some((known) => known.equals(ref))) refs.push(ref);
  }
  return refs;
}

export function withLocal(listings: Listings, keyId: string, refs: readonly ActorRef<unknown>[]): Listings {
  const local = new Map(listings.local);
  if (refs.length === 0) local.delete(keyId);
  else local.set(keyId, refs);
  return { ...listings, local };
}

export function withNode(listings: Listings, node: string, entries: ReadonlyMap<string, readonly ActorRef<unknown>[]> | undefined): Listings {
  const remote = new Map(listings.remote);
  if (entries === undefined || entries.size === 0) remote.delete(node);
  else remote.set(node, entries);
  return { ...listings, remote };
}

/** The keys whose listing differs between `a` and `b`. */
export function changedKeys(a: Listings, b: Listings): Set<string> {
  const keys = new Set<string>();
  const all = new Set([...a.local.keys(), ...b.local.keys(), ...[...a.remote.values(), ...b.remote.values()].flatMap((m) => [...m.keys()])]);
  for (const key of all) {
    const x = refsOf(a, key);
    const y = refsOf(b, key);
    if (x.length !== y.length || x.some((ref) => !y.some((other) => other.equals(ref)))) keys.add(key);
  }
  return keys;
}
