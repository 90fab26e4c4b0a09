/** Names a service that actors register under with the receptionist; `M` is what they accept. */
export class ServiceKey<M> {
  /** Never set: keeps `M` in the type, so a key only takes refs of its message type. */
  declare readonly messageType: M;

  constructor(readonly id: string) {
    if (typeof id !== "string" || id.length === 0) throw new TypeError("a ServiceKey needs a non-empty id");
  }
}
