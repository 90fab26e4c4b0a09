/** Wire protocol version sent in the handshake; a peer speaking another one is refused. */
export const PROTOCOL_VERSION = 5;

export const CONNECT_PATH = "/casty.v1.RemotingService/Connect";

/** Delay of a batch acknowledgement (one ack covers every batch delivered meanwhile). */
export const ACK_DELAY_MS = 5;

/** How long either side waits for the other's handshake frame. */
export const HANDSHAKE_TIMEOUT = 5000;

/** Envelopes per batch, and bytes after which a batch is sealed early. */
export const BATCH_MAX_ENVELOPES = 512;
export const BATCH_MAX_BYTES = 256 * 1024;

// Protobuf tags ((field << 3) | wire type) of the frames the transport encodes by hand.
export const TAG = {
  requestHandshake: (1 << 3) | 2,
  requestBatch: (2 << 3) | 2,
  requestBatchAck: (3 << 3) | 2,
  /** A return batch has the layout of a request batch but for this first byte. */
  responseReturnBatch: (4 << 3) | 2,
  batchEnvelope: (4 << 3) | 2,
  batchString: (5 << 3) | 2,
  batchResetStrings: (6 << 3) | 0,
  envelopeTarget: (1 << 3) | 0,
  envelopeType: (2 << 3) | 0,
  envelopePayload: (3 << 3) | 2,
  envelopeKey: (6 << 3) | 0,
  envelopeHops: (7 << 3) | 0,
  envelopeTraceparent: (8 << 3) | 2,
  envelopeTargetPath: (9 << 3) | 2,
} as const;
