import { LocalBehaviors } from "./actor/behavior.js";
import { persisted } from "./persistence/effect.js";
import { eventSourced } from "./persistence/event-sourced.js";
import { sharded } from "./sharding/sharded.js";

/** Behaviour factories: the local ones (receive, setup, supervise, …), `sharded`, `eventSourced` and `persisted`. */
export const Behaviors = { ...LocalBehaviors, sharded, eventSourced, persisted };
export type { ActorContext, ActorRef, ActorSystemView, AskOptions, Behavior, Cancellable, LifecycleHooks, ReplyOf, SpawnOptions } from "./actor/api.js";
export { ActorSystem, type ActorSystemOptions } from "./actor/system.js";
export type { ExtensionId } from "./actor/extension.js";
export {
  CoordinatedShutdown,
  ShutdownPhase,
  type ShutdownOptions,
  type ShutdownPhaseName,
  type ShutdownReason,
  type ShutdownTask,
} from "./actor/coordinated-shutdown.js";
export { Terminated } from "./actor/terminated.js";
export { ActorRestarted, ActorStarted, ActorStopped, DeadLetter, UnhandledMessage } from "./actor/events.js";
export { EventStream, type EventClass } from "./actor/event-stream.js";
export { Mailbox, MailboxOverflowStrategy, type MailboxOptions } from "./actor/mailbox.js";
export { Directive, OneForOneStrategy, type OneForOneOptions, type SupervisorStrategy } from "./actor/supervision.js";
export { wrappedMessage, type WrapsMessage } from "./actor/wrapped.js";
export {
  AskDeliveryError,
  AskTimeoutError,
  DuplicateActorNameError,
  InvalidActorNameError,
  InvalidOptionError,
  SystemTerminatedError,
} from "./actor/errors.js";
export { ConsoleLogger, type Logger, type LogLevel } from "./actor/logger.js";
export { realScheduler, type Scheduler } from "./actor/scheduler.js";
export { RemoteActorSystem } from "./remote/remote-system.js";
export { Remoting, RemotingId } from "./remote/remoting.js";
export type { RemoteOptions, TlsOptions } from "./remote/options.js";
export { RemoteActorRef } from "./remote/remote-ref.js";
export { DeserializationError, ProtoFileError, SerializationError, UnknownManifestError, type ProtoFileOptions } from "./serialization/index.js";
export { InvalidAddressError } from "./remote/address.js";
export { BindError } from "./remote/errors.js";
export { MalformedFrameError, type UndecodablePayload } from "./remote/inbound-batch.js";
export { ClusteredActorSystem, type NodeOptions } from "./node/clustered-system.js";
export { Cluster, ClusterExtensionId, type ClusterStateSnapshot } from "./cluster/cluster.js";
export { JoinRefusedError, JoinTimeoutError } from "./cluster/errors.js";
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
  type AnyClusterEvent,
  type MemberInfo,
} from "./cluster/events.js";
export { ShardEnvelope, Passivate, passivate } from "./sharding/envelope.js";
export type { ShardingOptions, ReplicationOptions } from "./sharding/options.js";
export { regionStats, type RegionStats } from "./sharding/region.js";
export type { ShardReplicationStats } from "./sharding/replication-hook.js";
export { ReplicationTimeoutError } from "./replication/errors.js";
export { ShardFencedError } from "./persistence/persist-hook.js";
export { shardOf, fnv1a32 } from "./sharding/shard-id.js";
export { clusterOptionsFromEnv, castyEnvironment, type CastyVariable } from "./ops/env.js";
export { runNode, type RunNodeOptions } from "./ops/run-node.js";
export type { HttpOptions } from "./ops/http/http-options.js";
export type { ClusterView, MemberView } from "./ops/page/cluster-views.js";
export type { NodeSnapshot, RegionSummary } from "./ops/page/node-snapshot.js";
export type { EventSourcedOptions } from "./persistence/event-sourced-options.js";
export { PersistEffect, type CommandEffect } from "./persistence/effect.js";
export { SnapshotEvery, type Retention, type SnapshotPolicy, type SnapshotRetentionOptions } from "./persistence/snapshot-policy.js";
export type { AppendOptions, EventJournal, JournalEntry, SnapshotEntry } from "./persistence/journal.js";
export type { EventEnvelope, Offset, ReadJournal } from "./persistence/read-journal.js";
export { InMemoryJournal } from "./persistence/in-memory-journal.js";
export { projection, projectionBehavior, type Projection, type StopProjection } from "./projection/projection.js";
export type { ProjectionOptions } from "./projection/projection-options.js";
export { InMemoryOffsetStore, type OffsetStore } from "./projection/offset-store.js";
export { SqliteOffsetStore } from "./projection/sqlite-offset-store.js";
export { PostgresOffsetStore } from "./projection/postgres-offset-store.js";
export type { DurableJournalOptions } from "./persistence/durable-journal.js";
export { SqliteJournal, type SqliteJournalOptions } from "./persistence/sqlite-journal.js";
export { PostgresJournal, type PostgresJournalOptions } from "./persistence/postgres-journal.js";
export { JournalClosedError, JournalConflictError, JournalCorruptError, PersistFailedError, RecoveryFailedError } from "./persistence/errors.js";
export { Distributed, distributed } from "./distributed/distributed.js";
export { DistributedData, DistributedDataId } from "./distributed/distributed-data.js";
export { DistributedCounter, DistributedMap, DistributedQueue, DistributedSet } from "./distributed/handles.js";
export type { DistributedOptions, StructureOptions } from "./distributed/options.js";
export { Singletons, SingletonsId, type SingletonOptions } from "./cluster-tools/singleton.js";
export { Receptionist, ReceptionistId } from "./cluster-tools/receptionist.js";
export { ServiceKey } from "./cluster-tools/service-key.js";
export { Topic, Topics, TopicsId } from "./cluster-tools/topic.js";
export { Gateway, GatewayId } from "./gateway/gateway.js";
export type { GatewayOptions } from "./gateway/options.js";
export { GatewayRefusal, refuse } from "./gateway/status.js";
export { GrpcServices, GrpcServicesId } from "./services/grpc-services.js";
export type { CallContext } from "./services/call-context.js";
export type { CallCount, ServedCall } from "./services/call-stats.js";
export type { BidiHandler, ClientStreamHandler, ServerStreamHandler, ServiceImplementation, UnaryHandler, UntypedHandler } from "./services/definition.js";
export type { ServicesOptions } from "./services/options.js";
export {
  ClientCounter,
  ClientDistributed,
  ClientMap,
  ClientQueue,
  ClientSet,
  ClusterClient,
  ClusterClientError,
  type CallOptions,
  type ClientStructureOptions,
  type ClusterClientOptions,
  type ClusterMembers,
} from "./client/index.js";
