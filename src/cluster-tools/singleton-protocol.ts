import type { Serialization } from "../serialization/index.js";

/** From the node that should run the singleton to every other manager: stop yours, then answer Released. */
export class TakeOver {
  constructor(readonly from: string) {}
}

/** A manager runs no instance and will not start one while the sender is the oldest. */
export class Released {
  constructor(readonly from: string) {}
}

/** A message for the singleton, on its way to the manager of the node that runs it. */
export class Forward {
  constructor(
    readonly message: unknown,
    readonly hops: number,
  ) {}
}

export function registerSingletonProtocol(serialization: Serialization): void {
  serialization.registerClass(TakeOver, "casty.singleton.TakeOver");
  serialization.registerClass(Released, "casty.singleton.Released");
  serialization.registerClass(Forward, "casty.singleton.Forward");
}
