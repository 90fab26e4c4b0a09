import type { ActorContext, Behavior } from "../actor/api.js";
import { LocalBehaviors } from "../actor/behavior.js";
import type { ActorRef } from "../actor/ref.js";
import { Terminated } from "../actor/terminated.js";
import { ClusterEvent } from "../cluster/events.js";
import type { ClusterNode } from "./cluster-node.js";
import { oldestUp } from "./oldest.js";
import { Forward, Released, TakeOver } from "./singleton-protocol.js";

export interface SingletonSettings {
  readonly name: string;
  readonly role: string | undefined;
  /** Messages held while no instance runs (handover, start); more become dead letters. */
  readonly bufferSize: number;
}

const TICK = Symbol("tick");
const TICK_MS = 200;
/** Forwards between managers before a message is held where it is (views of the oldest differ briefly). */
const MAX_HOPS = 3;

/** The path of the manager of singleton `name` on every node. */
export function managerName(name: string): string {
  return `singleton.${encodeURIComponent(name)}`;
}

/**
 * The manager of one singleton on one node (every node runs one). On the oldest Up node (with the
 * role) it starts the instance once every other member released it (stopped theirs, or left the
 * membership), unless this node is shutting down; elsewhere it forwards messages there. Messages wait in a bounded buffer meanwhile.
 */
export function singletonManager<M>(node: ClusterNode, behavior: Behavior<M>, settings: SingletonSettings): Behavior<unknown> {
  return LocalBehaviors.setup<unknown>((ctx) => {
    const manager = new SingletonManager(ctx, node, behavior, settings);
    return LocalBehaviors.withLifecycle(
      LocalBehaviors.receive<unknown>((_ctx, message) => {
        manager.receive(message);
        return LocalBehaviors.same();
      }),
      { postStop: () => manager.stopped() },
    );
  });
}

class SingletonManager<M> {
  private instance: ActorRef<M> | undefined;
  private stopping = false;
  private readonly buffer: M[] = [];
  /** Members that released the singleton to this node while it is the oldest. */
  private readonly released = new Set<string>();
  /** Members waiting for this node's instance to stop. */
  private readonly awaitingRelease = new Set<string>();
  private readonly self: string;
  private readonly offCluster: () => void;

  constructor(
    private readonly ctx: ActorContext<unknown>,
    private readonly node: ClusterNode,
    private readonly behavior: Behavior<M>,
    private readonly settings: SingletonSettings,
  ) {
    this.self = node.cluster.selfAddress;
    this.offCluster = node.cluster.subscribe(ClusterEvent, (event) => ctx.self.tell(event));
    ctx.startTimer("tick", TICK, TICK_MS);
  }

  receive(message: unknown): void {
    if (message instanceof ClusterEvent || message === TICK) this.evaluate();
    else if (message instanceof TakeOver) this.takeOver(message.from);
    else if (message instanceof Released) {
      this.released.add(message.from);
      this.evaluate();
    } else if (message instanceof Terminated) this.instanceStopped(message.ref);
    else if (message instanceof Forward) this.deliver(message.message as M, message.hops);
    else this.deliver(message as M, 0);
  }

  stopped(): void {
    this.offCluster();
    for (const message of this.buffer.splice(0)) this.ctx.system.deadLetter(message, this.ctx.self, `singleton ${this.settings.name} stopped`);
  }

  private oldest(): string | undefined {
    return oldestUp(this.node.cluster.state.members, this.settings.role);
  }

  private evaluate(): void {
    const oldest = this.oldest();
    if (oldest !== this.self) {
      this.released.clear();
      this.stopInstance();
      if (oldest !== undefined && this.instance === undefined) this.flushTo(oldest);
      return;
    }
    // a node whose shutdown started leaves soon: starting here would only hand the singleton over again
    if (this.instance !== undefined || this.ctx.system.coordinatedShutdown.isRunning) return;
    const waitingFor = this.node.cluster.state.members.filter((m) => m.address !== this.self && m.status !== "joining" && !this.released.has(m.address));
    if (waitingFor.length === 0) this.start();
    else for (const member of waitingFor) this.manager(member.address).tell(new TakeOver(this.self));
  }

  private start(): void {
    this.instance = this.ctx.spawn(this.behavior, "instance");
    this.ctx.watch(this.instance);
    this.ctx.log.info(`singleton ${this.settings.name} started on ${this.self}`);
    for (const message of this.buffer.splice(0)) this.instance.tell(message);
  }

  private stopInstance(): void {
    if (this.instance === undefined || this.stopping) return;
    this.stopping = true;
    this.ctx.log.info(`singleton ${this.settings.name} stops on ${this.self}: it is not the oldest node any more`);
    this.ctx.stop(this.instance);
  }

  private instanceStopped(ref: ActorRef<never>): void {
    if (this.instance === undefined || !this.instance.equals(ref)) return;
    this.instance = undefined;
    this.stopping = false;
    for (const address of this.awaitingRelease) this.manager(address).tell(new Released(this.self));
    this.awaitingRelease.clear();
    this.evaluate();
  }

  private takeOver(from: string): void {
    if (this.oldest() !== from) return; // not the oldest as this node sees it: it asks again
    this.released.clear();
    if (this.instance === undefined) this.manager(from).tell(new Released(this.self));
    else {
      this.awaitingRelease.add(from);
      this.stopInstance();
    }
  }

  private deliver(message: M, hops: number): void {
    if (this.instance !== undefined && !this.stopping) {
      this.instance.tell(message);
      return;
    }
    const oldest = this.oldest();
    if (oldest !== undefined && oldest !== this.self && this.instance === undefined && hops < MAX_HOPS) {
      this.manager(oldest).tell(new Forward(message, hops + 1));
      return;
    }
    if (this.buffer.length >= this.settings.bufferSize) {
      this.ctx.system.deadLetter(message, this.ctx.self, `singleton ${this.settings.name}: handover buffer is full`);
      return;
    }
    this.buffer.push(message);
  }

  private flushTo(oldest: string): void {
    for (const message of this.buffer.splice(0)) this.manager(oldest).tell(new Forward(message, 1));
  }

  private manager(address: string): ActorRef<unknown> {
    return address === this.self ? this.ctx.self : this.node.refAt(address, this.ctx.self.path);
  }
}
