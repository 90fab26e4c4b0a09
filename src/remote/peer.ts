/** A peer node as addressed by refs: system name plus `host:port`. */
export interface Peer {
  readonly system: string;
  readonly host: string;
  readonly port: number;
  /** `host:port` */
  readonly key: string;
}
