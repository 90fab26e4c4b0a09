// A ref to an actor on another simulated node: what it is told goes through the simulation's network
// as the wire would carry it (an envelope arrives as a new instance; the sender keeps its own).
import { BaseActorRef } from "../../src/actor/ref.js";
import { ShardEnvelope } from "../../src/index.js";

export class SimRef extends BaseActorRef<unknown> {
  constructor(
    private readonly send: (message: unknown) => void,
    readonly node: string,
    readonly path: string,
  ) {
    super();
  }

  get address(): string {
    return `casty://sim@${this.node}${this.path}`;
  }

  tell(message: unknown): void {
    this.send(wireCopy(message));
  }
}

function wireCopy(message: unknown): unknown {
  return message instanceof ShardEnvelope ? Object.assign(Object.create(Object.getPrototypeOf(message) as object) as object, message) : message;
}
