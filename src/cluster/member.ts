// Members: one incarnation of a node (address + uid) with its life-cycle status.

import { parseNodeKey } from "../remote/address.js";

export type MemberStatus = "joining" | "up" | "leaving" | "exiting" | "down" | "removed";

/**
 * One incarnation of a node: a restart at the same address gets a new random uid. `address` is the
 * node key of src/remote/address.ts ("host:port", IPv6 as "[::1]:25520"), as in `seedNodes`.
 */
export interface UniqueAddress {
  readonly address: string;
  readonly uid: bigint;
}

export interface Member extends UniqueAddress {
  readonly status: MemberStatus;
  readonly roles: readonly string[];
  /** Order in which members became Up, 1 for the first; 0 while not yet Up. */
  readonly upNumber: number;
}

/** The string identity of an incarnation, "host:port#uid": map key and vector-clock node. */
export function uniqueKey(node: UniqueAddress): string {
  return `${node.address}#${node.uid}`;
}

export function parseUniqueKey(key: string): UniqueAddress {
  const hash = key.lastIndexOf("#");
  if (hash < 0) throw new Error(`invalid unique key "${key}"`);
  return { address: key.slice(0, hash), uid: BigInt(key.slice(hash + 1)) };
}

/** Deterministic address order (host, then numeric port) for leader choice and the heartbeat ring. */
export function compareAddresses(a: string, b: string): number {
  const x = parseNodeKey(a);
  const y = parseNodeKey(b);
  if (x.host !== y.host) return x.host < y.host ? -1 : 1;
  return x.port - y.port;
}

const priority: Readonly<Record<MemberStatus, number>> = {
  joining: 0,
  up: 1,
  leaving: 2,
  exiting: 3,
  down: 4,
  removed: 5,
};

/**
 * Statuses only move forward (removed > down > exiting > leaving > up > joining, as in Akka), so when
 * two gossips disagree about an incarnation the higher one is the later truth.
 */
export function statusPriority(status: MemberStatus): number {
  return priority[status];
}

/** Oldest = lowest upNumber (not yet Up counts as youngest), then lowest address. */
export function isOlderThan(a: Member, b: Member): boolean {
  const x = a.upNumber === 0 ? Infinity : a.upNumber;
  const y = b.upNumber === 0 ? Infinity : b.upNumber;
  return x !== y ? x < y : compareAddresses(a.address, b.address) < 0;
}
