import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExtensionIdFor } from "../../actor/api.js";
import { ShutdownPhase } from "../../actor/coordinated-shutdown.js";
import type { ActorSystem } from "../../actor/system.js";
import { nodeMetrics, type NodeMetrics } from "../metrics/node-metrics.js";
import { pageAssets, type Asset } from "../page/assets.js";
import { ClusterViewsId } from "../page/cluster-views.js";
import type { ResolvedHttpOptions } from "./http-options.js";
import { LiveStream } from "./live-stream.js";

/** How often an open cluster page gets a new view. */
const PAGE_INTERVAL_MS = 1000;

/**
 * The node's HTTP port for operators (node:http): `GET /metrics` in the Prometheus text format,
 * `GET /` the live cluster page with its files, `GET /events` its Server-Sent Events, `GET /cluster.json`
 * one view. It closes late in the coordinated shutdown, so a leave can be watched to the end.
 */
export class OpsHttp {
  private readonly metrics: NodeMetrics;
  private readonly assets: ReadonlyMap<string, Asset>;
  private readonly live: LiveStream<unknown>;
  private readonly server: Server;

  /** Listens on `options`; rejects (nothing left open) when the port cannot be bound. */
  static async serve(system: ActorSystem, options: ResolvedHttpOptions): Promise<OpsHttp> {
    const http = new OpsHttp(system);
    await http.listen(options);
    system.registerExtension(OpsHttpId, http);
    system.coordinatedShutdown.addTask(ShutdownPhase.beforeActorSystemTerminate, "ops http", () => http.close());
    return http;
  }

  private constructor(private readonly system: ActorSystem) {
    const views = system.extension(ClusterViewsId);
    this.metrics = nodeMetrics(system);
    this.assets = pageAssets();
    this.live = new LiveStream(system.scheduler, system.log, PAGE_INTERVAL_MS, () => views.gather());
    this.server = createServer((request, response) => this.handle(request, response));
    // a malformed request ends its own connection, nothing else
    this.server.on("clientError", (_error, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
      else socket.destroy();
    });
  }

  /** `http://host:port` this node serves operators on. */
  get url(): string {
    const { address, port, family } = this.server.address() as AddressInfo;
    return `http://${family === "IPv6" ? `[${address}]` : address}:${port}`;
  }

  private listen({ port, host }: ResolvedHttpOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        this.metrics.close();
        reject(error);
      };
      this.server.once("error", failed);
      this.server.listen(port, host, () => {
        this.server.off("error", failed);
        this.server.on("error", (error) => this.system.log.warn("the ops HTTP server failed", error));
        resolve();
      });
    });
  }

  private close(): Promise<void> {
    this.live.closeAll();
    this.metrics.close();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    try {
      this.route(request, response);
    } catch (error) {
      this.failed(response, error);
    }
  }

  private route(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== "GET" && request.method !== "HEAD") return reply(response, 405, "only GET\n", { allow: "GET, HEAD" });
    const path = (request.url ?? "/").split("?", 1)[0];
    if (path === "/metrics") return this.reply(response, this.metrics.registry.metrics(), this.metrics.registry.contentType);
    if (path === "/cluster.json") {
      const view = this.system.extension(ClusterViewsId).gather();
      return this.reply(
        response,
        view.then((v) => JSON.stringify(v)),
        "application/json; charset=utf-8",
      );
    }
    if (path === "/events") {
      if (!this.live.open(response)) reply(response, 503, "too many open pages\n");
      return;
    }
    const asset = this.assets.get(path);
    if (asset === undefined) return reply(response, 404, "not found\n");
    reply(response, 200, asset.body, { "content-type": asset.contentType });
  }

  private reply(response: ServerResponse, body: Promise<string>, contentType: string): void {
    body.then(
      (text) => reply(response, 200, text, { "content-type": contentType }),
      (error: unknown) => this.failed(response, error),
    );
  }

  private failed(response: ServerResponse, error: unknown): void {
    this.system.log.warn("an ops HTTP request failed", error);
    if (response.headersSent) response.destroy();
    else reply(response, 500, "internal error\n");
  }
}

function reply(response: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
  response.end(body);
}

/** The node's ops HTTP server, when it serves one (`http` option of `ClusteredActorSystem.start`). */
export const OpsHttpId: ExtensionIdFor<OpsHttp, ActorSystem> = {
  key: "casty.OpsHttp",
  create() {
    throw new Error("this node serves no HTTP: start it with the http option");
  },
};
