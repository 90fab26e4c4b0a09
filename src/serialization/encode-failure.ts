import { SerializationError } from "./errors.js";
import { MAX_DEPTH } from "./wire.js";

/**
 * Why the encoder gave up. Each container the failure passes while the stack unwinds adds its path
 * segment, so no path is tracked while encoding succeeds. Internal: callers see `toError()`.
 */
export class EncodeFailure extends Error {
  override readonly name = "EncodeFailure";
  /** Segments from the message down to the offending value, e.g. [".items", "[2]", ".callback"]. */
  readonly path: string[] = [];
  /** `containers[k]` holds the value that `path[k]` steps into. */
  readonly containers: object[] = [];

  constructor(
    readonly reason: string,
    cause?: unknown,
    private readonly overflow = false,
  ) {
    super(reason, { cause });
  }

  static tooDeep(): EncodeFailure {
    return new EncodeFailure(`nests deeper than ${MAX_DEPTH} levels`, undefined, true);
  }

  static from(error: unknown): EncodeFailure {
    if (error instanceof EncodeFailure) return error;
    const detail = error instanceof Error ? error.message : String(error);
    return new EncodeFailure(`could not be encoded: ${detail}`, error);
  }

  /** The error for the sender; a depth overflow that revisits a container is reported as the cycle. */
  toError(): SerializationError {
    let path = this.path;
    let reason = this.reason;
    if (this.overflow) {
      for (let later = 1; later < this.containers.length; later++) {
        const earlier = this.containers.indexOf(this.containers[later]);
        if (earlier < later) {
          reason = `refers back to ${earlier === 0 ? "the message itself" : path.slice(0, earlier).join("")} (a cycle)`;
          path = path.slice(0, later);
          break;
        }
      }
    }
    const where = path.length === 0 ? "the message itself" : `value at ${path.join("")}`;
    const options = this.cause === undefined ? undefined : { cause: this.cause };
    return new SerializationError(`cannot serialize message: ${where} ${reason}`, options);
  }
}

/** Adds the step from `container` into its child to a failure thrown while encoding that child. */
export function at(error: unknown, segment: string, container: object): EncodeFailure {
  const failure = EncodeFailure.from(error);
  failure.path.unshift(segment);
  failure.containers.unshift(container);
  return failure;
}

export function propertySegment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

export function mapKeySegment(index: number): string {
  return `[map key #${index}]`;
}

export function mapValueSegment(key: unknown, index: number): string {
  switch (typeof key) {
    case "string":
      return `.get(${JSON.stringify(key)})`;
    case "number":
    case "boolean":
      return `.get(${String(key)})`;
    case "bigint":
      return `.get(${key}n)`;
    default:
      return `[map value #${index}]`;
  }
}
