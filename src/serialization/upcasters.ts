import { InvalidOptionError } from "../actor/errors.js";

/** Turns a stored value of one version into the next version's shape. */
export type Upcaster = (value: unknown) => unknown;

/**
 * Per manifest, the chain of upcasters from version 0: a manifest with upcasters for versions 0 … n-1
 * is at version n. Stored values carry the version they were written at and are read as the current one.
 */
export class Upcasters {
  private readonly chains = new Map<string, Upcaster[]>();

  /** Registers `upcast` from `fromVersion` to `fromVersion + 1`: versions register in order, from 0. */
  register(manifest: string, fromVersion: number, upcast: Upcaster): void {
    const chain = this.chains.get(manifest) ?? [];
    if (fromVersion !== chain.length) {
      throw new InvalidOptionError(`upcaster for ${JSON.stringify(manifest)}: expected one from version ${chain.length}, got ${fromVersion}`);
    }
    chain.push(upcast);
    this.chains.set(manifest, chain);
  }

  /** The version values of `manifest` are written at (0 without upcasters). */
  currentVersion(manifest: string): number {
    return this.chains.get(manifest)?.length ?? 0;
  }

  /** `value`, stored at `version`, in the current version's shape. */
  upcast(manifest: string, version: number, value: unknown): unknown {
    const chain = this.chains.get(manifest);
    if (chain === undefined) return value;
    let current = value;
    for (let v = version; v < chain.length; v++) current = chain[v](current);
    return current;
  }
}
