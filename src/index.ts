import { LocalBehaviors } from "./actor/behavior.js";
import { sharded } from "./sharding/sharded.js";

/** Behaviour factories: the local ones (receive, setup, supervise, …) and `sharded`. */
export const Behaviors = { ...LocalBehaviors, sharded };
export type { Behavior, LifecycleHooks } from "./actor/behavior.js";
export type { ActorContext, AskOptions, Cancellable, SpawnOptions } from "./actor/context.js";
export type { ActorRef, ReplyOf } from "./actor/ref.js";
export { ActorSystem, type ActorSystemOptions } from "./actor/system.js";
export { Terminated } from "./actor/terminated.js";
export { ActorRestarted, ActorStarted, ActorStopped, DeadLetter, EventStream, UnhandledMessage } from "./actor/events.js";
export { Mailbox, MailboxOverflowStrategy, type MailboxOptions } from "./actor/mailbox.js";
export { Directive, OneForOneStrategy, type OneForOneOptions, type SupervisorStrategy } from "./actor/supervision.js";
export {
  AskTimeoutError,
  DuplicateActorNameError,
  InvalidActorNameError,
  InvalidOptionError,
  SystemTerminatedError,
} from "./actor/errors.js";
export { ConsoleLogger, type Logger, type LogLevel } from "./actor/logger.js";
export { realScheduler, type Scheduler } from "./actor/scheduler.js";
export { RemoteActorSystem } from "./remote/remote-system.js";
export type { RemoteOptions, TlsOptions } from "./remote/options.js";
export { RemoteActorRef } from "./remote/remote-ref.js";
export {
  DeserializationError,
  ProtoFileError,
  SerializationError,
  UnknownManifestError,
  type ProtoFileOptions,
} from "./serialization/index.js";
export { InvalidAddressError } from "./remote/address.js";
export { MalformedFrameError, type UndecodablePayload } from "./remote/inbound-batch.js";
export { ClusteredActorSystem } from "./cluster/clustered-system.js";
export { Cluster, type ClusterStateSnapshot } from "./cluster/cluster.js";
export type { ClusterOptions, DowningOptions, FailureDetectorOptions } from "./cluster/options.js";
export type { DowningStrategy } from "./cluster/downing.js";
export {
  ClusterEvent,
  LeaderChanged,
  MemberDowned,
  MemberExited,
  MemberLeft,
  MemberRemoved,
  MemberUp,
  ReachableMember,
  UnreachableMember,
  type MemberInfo,
} from "./cluster/events.js";
export { ShardEnvelope, Passivate, passivate } from "./sharding/envelope.js";
export type { ShardingOptions } from "./sharding/options.js";
export { regionStats, type RegionStats } from "./sharding/region.js";
export { shardOf, fnv1a32 } from "./sharding/shard-id.js";
export { clusterOptionsFromEnv, castyEnvironment, type CastyVariable } from "./ops/env.js";
