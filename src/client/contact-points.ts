import * as grpc from "@grpc/grpc-js";
import { GatewayServiceClient } from "../../gen/casty/v1/gateway.js";
import { FRAME_ROOM } from "../gateway/multiplex-wire.js";
import type { ResolvedClientOptions } from "./options.js";

/**
 * One gateway channel per contact point, and which one calls go to now: a contact point that fails
 * with UNAVAILABLE hands over to the next one (round the list).
 */
export class ContactPoints {
  private readonly channels = new Map<string, GatewayServiceClient>();
  private current = 0;
  private readonly credentials: grpc.ChannelCredentials;
  private readonly channelOptions: grpc.ChannelOptions;

  constructor(private readonly options: ResolvedClientOptions) {
    const tls = options.tls;
    this.credentials =
      tls === undefined
        ? grpc.credentials.createInsecure()
        : grpc.credentials.createSsl(pem(tls.ca), tls.key === undefined ? null : pem(tls.key), tls.cert === undefined ? null : pem(tls.cert));
    const limit = options.maxMessageSize + FRAME_ROOM; // a Multiplex frame holds calls up to its target size, then one more
    this.channelOptions = {
      "grpc.max_send_message_length": limit,
      "grpc.max_receive_message_length": limit,
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 2000,
      "grpc.keepalive_time_ms": 10_000,
      "grpc.keepalive_timeout_ms": 5_000,
    };
  }

  /** The index of the contact point calls go to now. */
  get index(): number {
    return this.current;
  }

  get address(): string {
    return this.options.contactPoints[this.current];
  }

  channel(index: number): GatewayServiceClient {
    const address = this.options.contactPoints[index];
    let channel = this.channels.get(address);
    if (channel === undefined) {
      channel = new GatewayServiceClient(address, this.credentials, this.channelOptions);
      this.channels.set(address, channel);
    }
    return channel;
  }

  /** Moves on from the contact point at `index` (unless another call already did). */
  failed(index: number): void {
    if (index === this.current) this.current = (index + 1) % this.options.contactPoints.length;
  }

  close(): void {
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
  }
}

const pem = (value: string | Buffer): Buffer => (typeof value === "string" ? Buffer.from(value) : value);
