import type { NodeAddress } from "../../gen/casty/v1/address.js";
import {
  JoinRefusalReason,
  type GossipEnvelope,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JoinRequest,
  type JoinResponse,
} from "../../gen/casty/v1/cluster.js";
import type { Logger } from "../actor/logger.js";
import type { Scheduler, TimerHandle } from "../actor/scheduler.js";
import { digestFromProto, digestToProto, fromNodeAddress, stateFromProto, stateToProto, toNodeAddress } from "./codec.js";
import { decideDowning } from "./downing.js";
import { toEvent, type ClusterEvent } from "./events.js";
import { decideExchange, digest, receiveGossip, selectGossipPeers } from "./gossip-exchange.js";
import { heartbeatTargets } from "./heartbeat-targets.js";
import { leader, leaderActions } from "./leader.js";
import { uniqueKey, type Member, type UniqueAddress } from "./member.js";
import { diffEvents } from "./membership-events.js";
import {
  defaultTombstoneTtlMs,
  down,
  emptyState,
  isMember,
  isTombstoned,
  join,
  leave,
  markReachable,
  markSeen,
  markUnreachable,
  memberAt,
  pruneTombstones,
  unreachableAddresses,
  type ClusterState,
} from "./membership.js";
import { DnsSeeds } from "./dns-seeds.js";
import type { ResolvedClusterOptions } from "./options.js";
import { staticSeeds, type SeedSource } from "./seed-source.js";
import type { ClusterTransport } from "./transport.js";
import { isAvailable, newPhiDetector, recordHeartbeat, type PhiDetector } from "./phi-detector.js";

export interface DaemonHost {
  readonly systemName: string;
  readonly selfNode: NodeAddress;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  readonly peers: ClusterTransport;
  publish(event: ClusterEvent): void;
  /** This node is out of the cluster (downed, removed, or its incarnation refused). */
  removed(reason: string): void;
  stateChanged(state: ClusterState): void;
  /** A seed refused this node for good. */
  joinRefused?(seed: string, reason: "wrong-system" | "incarnation-removed", message: string): void;
}

type Phase = "joining" | "member" | "removed" | "stopped";

/** Leader actions and the reaper run this often; it also bounds how fast changes start spreading. */
const TICK_MS = 100;
/** After a change, gossip again this soon (to the members that have not seen it). */
const CHANGE_GOSSIP_MS = 10;
/** A join without progress this long is logged at warn level, then again every JOIN_WARN_EVERY_MS. */
const JOIN_WARN_AFTER_MS = 5000;
const JOIN_WARN_EVERY_MS = 30_000;
/** Tombstones older than their lifetime are forgotten about once a minute. */
const TOMBSTONE_PRUNE_TICKS = 600;

/**
 * The membership engine of one node: joins through the seeds, gossips, monitors a few peers with
 * heartbeats, marks them unreachable (or reachable again), and, as leader, moves members and applies
 * the split-brain resolver. All decisions are the pure functions of this folder; this class only
 * holds the current state, the timers and the wire.
 */
export class ClusterDaemon {
  state: ClusterState = emptyState;
  readonly self: UniqueAddress;
  private phase: Phase = "joining";
  private readonly detectors = new Map<string, PhiDetector>();
  /** Monitored peers not heard from yet: their detector's start is assumed, not a measured heartbeat. */
  private readonly unheard = new Set<string>();
  private heartbeatSequence = 0n;
  private readonly timers: TimerHandle[] = [];
  private gossipTimer: TimerHandle | undefined;
  private joinTimer: TimerHandle | undefined;
  private joinStarted = 0;
  /** Last time a member answered a join with "retry later": a cluster exists, so the first seed must not form another. */
  private memberAnsweredAt: number | undefined;
  /** The last answer (refusal or error) of each seed tried, for the warning and `whenUp`'s error. */
  private readonly seedAnswers = new Map<string, string>();
  private joinWarnedAt: number | undefined;
  /** Join refusals already logged as errors (each once, then at debug level). */
  private readonly loggedRefusals = new Set<string>();
  private picture = "";
  private stableSince = 0;
  private unreachableSince: number | undefined;
  private ticks = 0;
  /** Periodic gossip rounds so far (for metrics). */
  gossipRounds = 0;

  private readonly seedSource: SeedSource;

  constructor(
    private readonly host: DaemonHost,
    private readonly options: ResolvedClusterOptions,
  ) {
    this.self = fromNodeAddress(host.selfNode);
    this.seedSource = options.discovery === undefined ? staticSeeds(options.seedNodes) : new DnsSeeds(options.discovery, host.scheduler, host.log);
  }

  get isMember(): boolean {
    return this.phase === "member";
  }

  get selfMember(): Member | undefined {
    const member = memberAt(this.state, this.self.address);
    return member?.uid === this.self.uid ? member : undefined;
  }

  start(): void {
    const { scheduler } = this.host;
    this.stableSince = scheduler.now();
    this.timers.push(
      scheduler.setInterval(() => this.tick(), TICK_MS),
      scheduler.setInterval(() => this.gossipRound(), this.options.gossipInterval),
      scheduler.setInterval(() => this.heartbeatRound(), this.options.heartbeatInterval),
    );
    this.joinStarted = scheduler.now();
    this.seedSource.start();
    this.tryJoin();
  }

  stop(): void {
    const { scheduler } = this.host;
    for (const timer of this.timers) scheduler.clearInterval(timer);
    this.timers.length = 0;
    if (this.gossipTimer !== undefined) scheduler.clearTimeout(this.gossipTimer);
    if (this.joinTimer !== undefined) scheduler.clearTimeout(this.joinTimer);
    this.seedSource.stop();
    if (this.phase !== "removed") this.phase = "stopped";
  }

  /** Marks this node Leaving; the leader moves it on to Exiting and Removed. */
  leave(): void {
    if (this.phase !== "member") return;
    const others = this.state.members.filter((m) => m.address !== this.self.address && m.status !== "down");
    if (others.length === 0) {
      this.update(leave(this.state, this.self, this.self.address));
      this.leaveCluster("left (last member)");
      return;
    }
    this.update(leave(this.state, this.self, this.self.address));
  }

  /** Marks another member Down (operator action); the leader removes it. */
  down(address: string): void {
    if (this.phase === "member") this.update(down(this.state, this.self, address));
  }

  // ---- joining ----

  private seeds(): string[] {
    return this.seedSource.seeds().filter((seed) => seed !== this.self.address);
  }

  private tryJoin(): void {
    this.joinTimer = undefined;
    if (this.phase !== "joining") return;
    const seeds = this.seeds();
    const self = this.self.address;
    const now = this.host.scheduler.now();
    const patience = this.options.joinRetryInterval * 2;
    const clusterAnswered = this.memberAnsweredAt !== undefined && now - this.memberAnsweredAt < patience;
    if (this.seedSource.formsAtOnce(self) || (this.seedSource.mayForm(self, now) && now - this.joinStarted >= patience && !clusterAnswered)) {
      this.bootstrap();
      return;
    }
    const request: JoinRequest = { node: this.host.selfNode, roles: [...this.options.roles] };
    for (const seed of seeds) {
      this.host.peers.join(seed, request, this.options.joinRetryInterval * 2).then(
        (response) => this.joinAnswered(seed, response),
        (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          this.seedAnswers.set(seed, reason);
          this.host.log.debug(`join through ${seed} failed: ${reason}`);
        },
      );
    }
    this.warnIfStuck(now);
    this.joinTimer = this.host.scheduler.setTimeout(() => this.tryJoin(), this.options.joinRetryInterval);
  }

  /** The seeds tried so far, each with its last refusal or error (for logs and errors). */
  get seedsTried(): { seed: string; lastAnswer: string | undefined }[] {
    return this.seeds().map((seed) => ({ seed, lastAnswer: this.seedAnswers.get(seed) }));
  }

  private get joinReport(): string {
    const seeds = this.seedsTried;
    if (seeds.length === 0) return this.options.discovery === undefined ? "no seeds but this node" : `no seeds from ${this.seedSource.describe()}`;
    return `seeds tried: ${seeds.map((s) => `${s.seed} (${s.lastAnswer ?? "no answer yet"})`).join(", ")}`;
  }

  private warnIfStuck(now: number): void {
    if (now - this.joinStarted < JOIN_WARN_AFTER_MS) return;
    if (this.joinWarnedAt !== undefined && now - this.joinWarnedAt < JOIN_WARN_EVERY_MS) return;
    this.joinWarnedAt = now;
    this.host.log.warn(`${this.self.address} has not joined the cluster after ${Math.round((now - this.joinStarted) / 1000)} s; ${this.joinReport}`);
  }

  private bootstrap(): void {
    this.host.log.info(`${this.self.address} forms a new cluster`);
    this.phase = "member";
    this.seedSource.stop();
    this.update(join(emptyState, this.self, { ...this.self, roles: this.options.roles }, this.host.scheduler.now()).state);
  }

  private joinAnswered(seed: string, response: JoinResponse): void {
    if (this.phase !== "joining" || response.result === undefined) return;
    if (response.result.$case === "refusal") {
      const { reason, message } = response.result.value;
      this.seedAnswers.set(seed, `refused: ${message}`);
      if (reason === JoinRefusalReason.JOIN_REFUSAL_REASON_RETRY_LATER) {
        this.memberAnsweredAt = this.host.scheduler.now();
        this.host.log.debug(`${seed} asks to retry the join later: ${message}`);
        return;
      }
      if (reason === JoinRefusalReason.JOIN_REFUSAL_REASON_NOT_A_MEMBER) {
        this.host.log.debug(`${seed} cannot admit members: ${message}`);
        return;
      }
      this.logRefusalOnce(`${seed} refused the join: ${message}`);
      if (reason === JoinRefusalReason.JOIN_REFUSAL_REASON_WRONG_SYSTEM) this.host.joinRefused?.(seed, "wrong-system", message);
      if (reason === JoinRefusalReason.JOIN_REFUSAL_REASON_INCARNATION_REMOVED) {
        this.host.joinRefused?.(seed, "incarnation-removed", message);
        this.leaveCluster(`join refused: ${message}`);
      }
      return;
    }
    let welcomed: ClusterState;
    try {
      welcomed = stateFromProto(response.result.value.state ?? { members: [], reachability: [], seen: [], tombstones: [] });
    } catch (error) {
      this.host.log.error(`malformed welcome from ${seed}: ${(error as Error).message}`);
      return;
    }
    if (!isMember(welcomed, this.self)) return;
    this.host.log.info(`${this.self.address} joined the cluster through ${seed}`);
    this.phase = "member";
    this.seedSource.stop();
    this.update(markSeen(welcomed, this.self));
  }

  /** Server side of Join: admit the candidate if this node is a member. */
  handleJoin(request: JoinRequest): JoinResponse {
    const node = request.node;
    const refuse = (reason: JoinRefusalReason, message: string): JoinResponse => ({ result: { $case: "refusal", value: { reason, message } } });
    if (node === undefined) return refuse(JoinRefusalReason.JOIN_REFUSAL_REASON_UNSPECIFIED, "join without a node address");
    if (node.system !== this.host.systemName) {
      this.logRefusalOnce(`refused a join from ${node.host}:${node.port}: cluster "${node.system}" is not "${this.host.systemName}"`);
      return refuse(JoinRefusalReason.JOIN_REFUSAL_REASON_WRONG_SYSTEM, `this cluster is "${this.host.systemName}", not "${node.system}"`);
    }
    if (this.phase !== "member") {
      return refuse(JoinRefusalReason.JOIN_REFUSAL_REASON_NOT_A_MEMBER, `this node is not a member ${this.phase === "joining" ? "yet" : "any more"}`);
    }
    const candidate = fromNodeAddress(node);
    const { state, outcome } = join(this.state, this.self, { ...candidate, roles: request.roles }, this.host.scheduler.now());
    this.update(state);
    switch (outcome) {
      case "incarnation-removed":
        return refuse(
          JoinRefusalReason.JOIN_REFUSAL_REASON_INCARNATION_REMOVED,
          `incarnation ${candidate.uid} of ${candidate.address} was removed; restart the node to join again`,
        );
      case "old-incarnation-downed":
        return refuse(JoinRefusalReason.JOIN_REFUSAL_REASON_RETRY_LATER, `an older incarnation of ${candidate.address} is being removed`);
      default:
        return { result: { $case: "welcome", value: { from: this.host.selfNode, state: stateToProto(this.state, this.host.systemName) } } };
    }
  }

  /** A refusal repeats every join attempt: an error the first time, debug after that. */
  private logRefusalOnce(message: string): void {
    if (this.loggedRefusals.has(message)) {
      this.host.log.debug(message);
      return;
    }
    if (this.loggedRefusals.size >= 1000) this.loggedRefusals.clear();
    this.loggedRefusals.add(message);
    this.host.log.error(message);
  }

  /** Server side of Leave. */
  handleLeave(node: NodeAddress | undefined): void {
    if (node !== undefined && this.phase === "member") this.update(leave(this.state, this.self, fromNodeAddress(node).address));
  }

  // ---- gossip ----

  private gossipRound(): void {
    if (this.phase !== "member") return;
    this.gossipRounds++;
    const peers = selectGossipPeers(this.state, this.self, this.options.gossipFanout, () => this.host.scheduler.random());
    for (const peer of peers) this.gossipTo(peer);
  }

  /** Full state to peers that have not seen it, a digest to the others (push-pull). */
  private gossipTo(address: string): void {
    const member = memberAt(this.state, address);
    if (member === undefined) return;
    const seen = this.state.seen.has(uniqueKey(member));
    this.host.peers.sendGossip(address, seen ? this.digestEnvelope(member) : this.stateEnvelope(member));
  }

  private gossipSoon(): void {
    if (this.gossipTimer !== undefined || this.phase !== "member") return;
    this.gossipTimer = this.host.scheduler.setTimeout(() => {
      this.gossipTimer = undefined;
      if (this.phase !== "member") return;
      for (const member of this.state.members) {
        if (member.address !== this.self.address && !this.state.seen.has(uniqueKey(member))) this.gossipTo(member.address);
      }
    }, CHANGE_GOSSIP_MS);
  }

  /** A gossip envelope from a peer (as a request on our server, or an answer on our stream). */
  onGossip(envelope: GossipEnvelope, reply: (envelope: GossipEnvelope) => void): void {
    if (this.phase !== "member" || envelope.from === undefined) return;
    if (envelope.to !== undefined && envelope.to.uid !== 0n && envelope.to.uid !== this.self.uid) return; // for a former incarnation
    if (envelope.from.system !== this.host.systemName) {
      this.host.log.warn(`dropped gossip from cluster "${envelope.from.system}"`);
      return;
    }
    const from = fromNodeAddress(envelope.from);
    const payload = envelope.payload;
    if (payload?.$case === "status") {
      const decision = decideExchange(this.state, digestFromProto(payload.value));
      if (decision === "send-mine" || decision === "merge") reply(this.stateEnvelope(from));
      else if (decision === "request-theirs") reply(this.digestEnvelope(from));
      return;
    }
    if (payload?.$case !== "state") return;
    let remote: ClusterState;
    try {
      remote = stateFromProto(payload.value);
    } catch (error) {
      this.host.log.warn(`dropped malformed gossip from ${from.address}: ${(error as Error).message}`);
      return;
    }
    const receipt = receiveGossip(this.state, remote, this.self);
    this.update(receipt.state);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- update() may have ended the membership
    if (receipt.replyNeeded && this.phase === "member") reply(this.stateEnvelope(from));
  }

  private stateEnvelope(to: UniqueAddress): GossipEnvelope {
    const system = this.host.systemName;
    return { from: this.host.selfNode, to: toNodeAddress(to, system), payload: { $case: "state", value: stateToProto(this.state, system) } };
  }

  private digestEnvelope(to: UniqueAddress): GossipEnvelope {
    return {
      from: this.host.selfNode,
      to: toNodeAddress(to, this.host.systemName),
      payload: { $case: "status", value: digestToProto(digest(this.state)) },
    };
  }

  // ---- failure detection ----

  private monitored(): string[] {
    const nodes = this.state.members.filter((m) => m.status !== "down").map((m) => m.address);
    return heartbeatTargets(nodes, this.self.address, this.unreachableBySelf(), this.options.monitoredBy);
  }

  private unreachableBySelf(): Set<string> {
    const keys = this.state.reachability.get(uniqueKey(this.self))?.unreachable ?? new Set<string>();
    return new Set(this.state.members.filter((m) => keys.has(uniqueKey(m))).map((m) => m.address));
  }

  private heartbeatRound(): void {
    if (this.phase !== "member") return;
    const now = this.host.scheduler.now();
    const targets = new Set(this.monitored());
    for (const address of this.detectors.keys()) {
      if (!targets.has(address)) {
        this.detectors.delete(address);
        this.unheard.delete(address);
      }
    }
    for (const address of targets) {
      // monitoring starts as if a heartbeat just arrived, so a peer that never answers is suspected too
      if (!this.detectors.has(address)) {
        this.detectors.set(address, recordHeartbeat(newPhiDetector(this.options.phi), now));
        this.unheard.add(address);
      }
      const member = memberAt(this.state, address)!;
      const request: HeartbeatRequest = {
        from: this.host.selfNode,
        to: toNodeAddress(member, this.host.systemName),
        sequenceNr: ++this.heartbeatSequence,
        sendTimeMs: BigInt(Math.round(now)),
      };
      this.host.peers.sendHeartbeat(address, request);
    }
  }

  /** Server side of Heartbeat: answer if the heartbeat is for this incarnation. */
  answerHeartbeat(request: HeartbeatRequest): HeartbeatResponse | undefined {
    if (this.phase !== "member" || (request.to !== undefined && request.to.uid !== this.self.uid)) return undefined;
    return { from: this.host.selfNode, sequenceNr: request.sequenceNr, sendTimeMs: request.sendTimeMs };
  }

  onHeartbeatResponse(response: HeartbeatResponse): void {
    if (response.from === undefined) return;
    const address = fromNodeAddress(response.from).address;
    const detector = this.detectors.get(address);
    if (detector === undefined) return;
    const now = this.host.scheduler.now();
    // The first answer comes a round trip after the assumed start: that gap is no heartbeat interval
    // (a ~0 ms sample would inflate the deviation and slow detection down for minutes).
    if (this.unheard.delete(address)) this.detectors.set(address, { ...detector, lastHeartbeat: now });
    else this.detectors.set(address, recordHeartbeat(detector, now));
  }

  private reap(now: number): void {
    const unreachable = this.unreachableBySelf();
    let state = this.state;
    for (const [address, detector] of this.detectors) {
      if (memberAt(state, address) === undefined) {
        // removed since the last heartbeat round: nothing left to report about it
        this.detectors.delete(address);
        this.unheard.delete(address);
        continue;
      }
      const available = isAvailable(detector, now);
      if (!available && !unreachable.has(address)) {
        this.host.log.warn(`${address} is unreachable (no heartbeat answer)`);
        state = markUnreachable(state, this.self, address);
      } else if (available && unreachable.has(address)) {
        this.host.log.info(`${address} is reachable again`);
        state = markReachable(state, this.self, address);
      }
    }
    this.update(state);
  }

  // ---- leader duties ----

  private tick(): void {
    if (this.phase !== "member") return;
    const now = this.host.scheduler.now();
    if (++this.ticks % TOMBSTONE_PRUNE_TICKS === 0) this.update(pruneTombstones(this.state, now - defaultTombstoneTtlMs));
    this.reap(now);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- update() and reap() may have ended the membership
    if (this.phase !== "member" || leader(this.state) !== this.self.address) return;
    const { state, changes } = leaderActions(this.state, this.self, now);
    if (changes.length > 0) {
      this.update(state);
      // removed members no longer get gossip; tell them once so they learn they are out
      for (const change of changes) {
        if (change.member.status === "removed" && change.member.address !== this.self.address) {
          this.host.peers.sendGossip(change.member.address, this.stateEnvelope(change.member));
        }
      }
    }
    this.resolveSplitBrain(now);
  }

  private resolveSplitBrain(now: number): void {
    const unreachable = unreachableAddresses(this.state);
    const picture = this.state.members.map((m) => `${m.address}:${m.status}`).join(",") + "|" + [...unreachable].sort().join(",");
    if (picture !== this.picture) {
      this.picture = picture;
      this.stableSince = now;
    }
    if (unreachable.size === 0) this.unreachableSince = undefined;
    else this.unreachableSince ??= now;
    const decision = decideDowning({ state: this.state, now, stableSince: this.stableSince, unreachableSince: this.unreachableSince }, this.options.downing);
    if (decision.action !== "down") return;
    this.host.log.warn(`split brain resolver (${this.options.downing.strategy.kind}, ${decision.reason}) downs ${decision.nodes.join(", ")}`);
    let state = this.state;
    for (const address of decision.nodes) state = down(state, this.self, address);
    this.update(state);
  }

  // ---- state changes ----

  private update(next: ClusterState): void {
    if (next === this.state) return;
    const before = this.state;
    this.state = next;
    for (const event of diffEvents(before, next, this.self)) this.host.publish(toEvent(event));
    this.host.stateChanged(next);
    if (this.phase === "member") {
      const me = this.selfMember;
      if (me === undefined || isTombstoned(next, this.self)) this.leaveCluster("removed from the cluster");
      else if (me.status === "down") this.leaveCluster("downed");
      else if (me.status === "exiting" && !next.members.some((m) => m.status === "up" || m.status === "leaving")) {
        this.leaveCluster("every member is leaving"); // no leader is left to remove us
      } else if (next.version !== before.version || next.seen !== before.seen) this.gossipSoon();
    }
  }

  private leaveCluster(reason: string): void {
    if (this.phase === "removed") return;
    this.host.log.info(`${this.self.address} is out of the cluster: ${reason}`);
    // a farewell round, so the others learn the last state this node saw (no one else may tell them)
    for (const member of this.state.members) {
      if (member.address !== this.self.address) this.host.peers.sendGossip(member.address, this.stateEnvelope(member));
    }
    this.phase = "removed";
    this.stop();
    this.host.removed(reason);
  }
}
