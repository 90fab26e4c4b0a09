// A real DNS server on 127.0.0.1 (UDP) whose records a test changes while nodes resolve them, as a
// Kubernetes headless service does when pods come and go. Answers A, AAAA and SRV from `records`.
import { createSocket as udpSocket } from "node:dgram";
import * as packet from "dns-packet";

export interface SrvTarget {
  readonly target: string;
  readonly port: number;
}

export class DnsServer {
  /** name → IPv4 addresses; change it at any time. */
  readonly a = new Map<string, string[]>();
  /** name → SRV targets. */
  readonly srv = new Map<string, SrvTarget[]>();
  /** Questions answered so far. */
  queries = 0;
  private readonly socket = udpSocket("udp4");

  private constructor(readonly port: number) {}

  static async start(): Promise<DnsServer> {
    const probe = udpSocket("udp4");
    await new Promise<void>((resolve) => probe.bind(0, "127.0.0.1", resolve));
    const port = probe.address().port;
    probe.close();
    const server = new DnsServer(port);
    await server.listen();
    return server;
  }

  /** `127.0.0.1:<port>`, for a resolver's servers. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private listen(): Promise<void> {
    this.socket.on("message", (message, remote) => {
      try {
        const query = packet.decode(message);
        const answers: packet.Answer[] = [];
        for (const question of query.questions ?? []) {
          this.queries++;
          if (question.type === "A") {
            for (const data of this.a.get(question.name) ?? []) answers.push({ type: "A", name: question.name, ttl: 1, data });
          } else if (question.type === "SRV") {
            for (const { target, port } of this.srv.get(question.name) ?? []) {
              answers.push({ type: "SRV", name: question.name, ttl: 1, data: { target, port, priority: 0, weight: 10 } });
            }
          }
        }
        const known = (query.questions ?? []).some((q) => this.a.has(q.name) || this.srv.has(q.name));
        const reply = packet.encode({
          id: query.id,
          type: "response",
          flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | (known ? 0 : 3), // rcode 3: NXDOMAIN
          questions: query.questions,
          answers,
        });
        this.socket.send(reply, remote.port, remote.address);
      } catch {
        // a packet that is not a DNS query: no answer, as a real server would do
      }
    });
    return new Promise((resolve) => this.socket.bind(this.port, "127.0.0.1", () => resolve()));
  }
}
