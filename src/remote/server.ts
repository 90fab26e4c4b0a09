import * as grpc from "@grpc/grpc-js";
import { BindError } from "./errors.js";
import { captureGrpcLogs } from "./grpc-log.js";
import { resolveRemoteOptions, type RemoteOptions, type ResolvedRemoteOptions } from "./options.js";
import { BATCH_MAX_BYTES } from "./protocol.js";
import { serverCredentials } from "./tls.js";

/** A node's gRPC server before the system around it exists. */
export interface BoundServer {
  readonly server: grpc.Server;
  readonly port: number;
  readonly options: ResolvedRemoteOptions;
}

/** Binds the node's server, then builds the system around it; a failing build leaves no port bound. */
export async function startBound<T>(options: RemoteOptions, build: (bound: BoundServer) => T): Promise<T> {
  const bound = await bindServer(options);
  try {
    return build(bound);
  } catch (error) {
    bound.server.forceShutdown(); // e.g. an invalid system name
    throw error;
  }
}

/** Binds the node's one gRPC server (every casty service of the node is added to it). */
export async function bindServer(options: RemoteOptions): Promise<BoundServer> {
  const resolved = resolveRemoteOptions(options);
  const server = new grpc.Server(channelOptions(resolved));
  const address = `${resolved.host.includes(":") ? `[${resolved.host}]` : resolved.host}:${resolved.port}`;
  const grpcLines = captureGrpcLogs();
  try {
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, serverCredentials(resolved.tls), (error, bound) =>
        error ? reject(new BindError(address, error, grpcLines.lines)) : resolve(bound),
      ),
    );
    return { server, port, options: resolved };
  } finally {
    grpcLines.release();
  }
}

export function channelOptions(options: ResolvedRemoteOptions): grpc.ChannelOptions {
  const frameLimit = Math.max(options.maxMessageSize, BATCH_MAX_BYTES) + 1024 * 1024;
  return {
    "grpc.max_receive_message_length": frameLimit,
    "grpc.max_send_message_length": frameLimit,
    "grpc.keepalive_time_ms": 10_000,
    "grpc.keepalive_timeout_ms": 5_000,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 5_000,
    // The endpoint runs its own backoff; the channel's (1 s growing to 120 s) would delay reconnects past it.
    "grpc.initial_reconnect_backoff_ms": options.minBackoff,
    "grpc.max_reconnect_backoff_ms": options.maxBackoff,
  };
}
