import type { EventClass, EventStream } from "../actor/event-stream.js";
import type { Scheduler } from "../actor/scheduler.js";
import type { ClusterDaemon } from "./daemon.js";
import { memberInfo, MemberUp, toEvent, type ClusterEvent, type MemberInfo } from "./events.js";
import { leader } from "./leader.js";
import { diffEvents } from "./membership-events.js";
import { emptyState, unreachableAddresses } from "./membership.js";
import type { ClusterTraffic } from "./peer-streams.js";

/** A snapshot of the membership as this node sees it. */
export interface ClusterStateSnapshot {
  readonly members: readonly MemberInfo[];
  /** Addresses some member finds unreachable. */
  readonly unreachable: readonly string[];
}

/** `system.cluster`: membership, leader, events, leaving. */
export class Cluster {
  constructor(
    private readonly daemon: ClusterDaemon,
    private readonly events: EventStream,
    private readonly scheduler: Scheduler,
    private readonly leaveAndWait: () => Promise<void>,
    /** Bytes this node sent for gossip and heartbeats. */
    readonly traffic: Readonly<ClusterTraffic>,
  ) {}

  get state(): ClusterStateSnapshot {
    const state = this.daemon.state;
    return { members: state.members.map(memberInfo), unreachable: [...unreachableAddresses(state)] };
  }

  get leader(): string | undefined {
    return leader(this.daemon.state);
  }

  get selfAddress(): string {
    return this.daemon.self.address;
  }

  /** This node as a member, once it joined. */
  get selfMember(): MemberInfo | undefined {
    const member = this.daemon.selfMember;
    return member === undefined ? undefined : memberInfo(member);
  }

  /** Leaves gracefully: Leaving → Exiting → Removed; resolves when removed (or after `leaveTimeout`). */
  leave(): Promise<void> {
    return this.leaveAndWait();
  }

  /** Marks a member Down (an operator's decision); the leader then removes it. */
  down(address: string): void {
    this.daemon.down(address);
  }

  /** Subscribes to a cluster event class (or `ClusterEvent` for all); the current state is replayed first. */
  subscribe<E extends ClusterEvent>(eventClass: EventClass<E>, listener: (event: E) => void): () => void {
    for (const data of diffEvents(emptyState, this.daemon.state, this.daemon.self)) {
      const event = toEvent(data);
      if (event instanceof eventClass) listener(event);
    }
    return this.events.subscribe(eventClass, listener);
  }

  /** Resolves once this node is Up; rejects after `timeout` ms. */
  whenUp(timeout = 10_000): Promise<void> {
    if (this.daemon.selfMember?.status === "up") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = this.scheduler.setTimeout(() => {
        off();
        reject(new Error(`${this.selfAddress} was not Up within ${timeout} ms`));
      }, timeout);
      const off = this.events.subscribe(MemberUp, (event) => {
        if (event.address !== this.selfAddress) return;
        this.scheduler.clearTimeout(timer);
        off();
        resolve();
      });
    });
  }
}
