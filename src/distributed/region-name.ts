// Each structure is its own sharded entity type, spawned under a name that says everything a node
// needs to host it on demand (when a peer's region talks to it first): kind, storage, shards, name.

export type StructureKind = "counter" | "map" | "set" | "queue";
/** "m": in memory; "j": in the node's journal for distributed data. */
export type Storage = "m" | "j";

export interface RegionName {
  readonly kind: StructureKind;
  readonly storage: Storage;
  readonly shards: number;
  readonly name: string;
}

/** Regions of distributed data live under /system with this prefix. */
export const REGION_PREFIX = "dd.";

const kinds: ReadonlySet<string> = new Set<StructureKind>(["counter", "map", "set", "queue"]);
const pattern = /^dd\.([a-z]+)\.([mj])\.([1-9][0-9]*)\.(.+)$/;

export function regionActorName(region: RegionName): string {
  return `${REGION_PREFIX}${region.kind}.${region.storage}.${region.shards}.${encodeURIComponent(region.name)}`;
}

/** The region an actor name stands for, or undefined when it is not one. */
export function parseRegionActorName(actorName: string): RegionName | undefined {
  const match = pattern.exec(actorName);
  if (match === null || !kinds.has(match[1])) return undefined;
  try {
    return { kind: match[1] as StructureKind, storage: match[2] as Storage, shards: Number(match[3]), name: decodeURIComponent(match[4]) };
  } catch {
    return undefined; // not an encoding we produce
  }
}
