/** What went to and came from one peer node: plain counters that remoting bumps per batch, read by metrics. */
export class PeerTraffic {
  bytesSent = 0;
  batchesSent = 0;
  envelopesSent = 0;
  bytesReceived = 0;
  batchesReceived = 0;
  /** Successful handshakes of outbound connections (the first one, then each reconnect). */
  associations = 0;
}

/** The traffic of each peer (`host:port`) this node has talked to; a peer that leaves for good is forgotten. */
export class TrafficByPeer {
  private readonly byPeer = new Map<string, PeerTraffic>();

  of(peerKey: string): PeerTraffic {
    let traffic = this.byPeer.get(peerKey);
    if (traffic === undefined) this.byPeer.set(peerKey, (traffic = new PeerTraffic()));
    return traffic;
  }

  forget(peerKey: string): void {
    this.byPeer.delete(peerKey);
  }

  get all(): ReadonlyMap<string, PeerTraffic> {
    return this.byPeer;
  }
}
