// Ports free on 127.0.0.1 a moment ago, for node processes that must know their ports in advance.
import { createServer, type Server } from "node:net";

/** `count` distinct free ports, ascending (the lowest address leads a cluster). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports.sort((a, b) => a - b);
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port;
}
