import type { Registry } from "prom-client";
import type { PeerTraffic } from "../../remote/peer-traffic.js";
import type { Remoting } from "../../remote/remoting.js";
import { collectedCounter, type Sample } from "./collected.js";

/** Bytes, batches and envelopes to and from each peer, and reconnects. */
export function remoteMetrics(registry: Registry, remoting: Remoting): void {
  const perPeer = (read: (traffic: PeerTraffic) => number) =>
    function* (): Iterable<Sample<"peer">> {
      for (const [peer, traffic] of remoting.traffic.all) yield [{ peer }, read(traffic)];
    };
  const counters: [name: string, help: string, read: (traffic: PeerTraffic) => number][] = [
    ["casty_remote_sent_bytes_total", "Bytes of envelope batches written to each peer", (t) => t.bytesSent],
    ["casty_remote_sent_batches_total", "Envelope batches written to each peer", (t) => t.batchesSent],
    ["casty_remote_sent_envelopes_total", "Envelopes (messages) written to each peer", (t) => t.envelopesSent],
    ["casty_remote_received_bytes_total", "Bytes of envelope batches received from each peer", (t) => t.bytesReceived],
    ["casty_remote_received_batches_total", "Envelope batches received from each peer", (t) => t.batchesReceived],
    ["casty_remote_reconnects_total", "Outbound connections to each peer established again after the first", (t) => Math.max(0, t.associations - 1)],
  ];
  for (const [name, help, read] of counters) collectedCounter(registry, { name, help, labelNames: ["peer"], read: perPeer(read) });
}
