/** A message (or a value inside it) cannot be put on the wire; thrown at the sender. */
export class SerializationError extends Error {
  override readonly name = "SerializationError";
}

/** Received bytes do not decode; the connection survives, the message does not. */
export class DeserializationError extends Error {
  override readonly name: string = "DeserializationError";
}

/** Received a manifest, class name or Protobuf type name that this node has not registered. */
export class UnknownManifestError extends DeserializationError {
  override readonly name = "UnknownManifestError";

  constructor(readonly manifest: string) {
    super(`unknown manifest ${JSON.stringify(manifest)}: register the class or Protobuf type on this node too`);
  }
}
