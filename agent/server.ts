import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { LatestReadings } from "./latest-readings.ts";

/**
 * How long a client may hold a connection. Prometheus asks within its scrape timeout (10 s by default)
 * and reads the page at once; a client that dribbles its request (slowloris), opens a connection and
 * says nothing, or stops reading the page, is cut off instead of holding a socket and the page's
 * writer for ever.
 */
export interface AgentServerTimeouts {
  /** The request line and headers must have arrived within this (node's headersTimeout). */
  headersMs: number;
  /** The whole request (the agent's are GETs: the headers) within this (node's requestTimeout). */
  requestMs: number;
  /** A connection on which nothing moves either way for this long is closed (a reader that stopped). */
  idleMs: number;
  /** A whole answer (the /metrics page) must be taken within this, however slowly the bytes move. */
  responseMs: number;
  /** An idle kept-alive connection between two scrapes is closed after this (node's keepAliveTimeout). */
  keepAliveMs: number;
}

export const AGENT_SERVER_TIMEOUTS: AgentServerTimeouts = {
  headersMs: 10_000,
  requestMs: 15_000,
  idleMs: 30_000,
  responseMs: 60_000,
  keepAliveMs: 5_000,
};

export interface AgentServer {
  /** Listens; resolves to the URL it serves (http://HOST:PORT), with the real port when given 0. */
  listen(at: { host: string; port: number }): Promise<string>;
  close(): Promise<void>;
}

/**
 * The agent's own HTTP face: /metrics for Prometheus and /healthz for systemd and the demo. Two GET
 * routes need no web framework: node:http keeps the agent's module graph (and memory) small.
 */
export function buildAgentServer(opts: {
  registry: Registry;
  /** The devices' readings, written after the registry's metrics (AgentMetrics.readings). */
  readings?: LatestReadings;
  /** The /healthz body; a `status` other than "ok" answers 503. */
  health: () => Record<string, unknown>;
  timeouts?: Partial<AgentServerTimeouts>;
}): AgentServer {
  const t = { ...AGENT_SERVER_TIMEOUTS, ...opts.timeouts };
  const options = {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    // node checks the two request timeouts on this period (30 s by default, which would double them).
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, t.headersMs / 4)),
  };
  const server: Server = createServer(options, (req, res) => {
    // However the bytes trickle, the answer is over by then (an idle timeout alone lets a reader that
    // takes a byte now and then hold the page's writer for ever).
    const deadline = setTimeout(() => res.destroy(), t.responseMs);
    deadline.unref();
    res.once("close", () => clearTimeout(deadline));
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return send(405, "application/json", JSON.stringify({ error: `${req.method} not allowed; use GET` }));
    }
    if (path === "/metrics") {
      opts.registry.metrics().then(
        (text) => {
          if (!opts.readings) return send(200, opts.registry.contentType, text);
          // Thousands of devices' readings make megabytes of text: streamed in chunks of ~64 KB, two at a
          // time, so a scrape never holds the whole page in memory.
          res.writeHead(200, { "content-type": opts.registry.contentType });
          if (req.method === "HEAD") return res.end();
          res.write(text);
          opts.readings
            .write(
              // Done with a chunk once the socket has taken it (its write callback): its memory is reused.
              (chunk) =>
                new Promise<void>((done, fail) => {
                  const gone = () => fail(new Error("scraper went away"));
                  if (res.destroyed) return gone();
                  res.once("close", gone);
                  res.write(chunk, (err) => {
                    res.off("close", gone);
                    if (err) fail(err);
                    else done();
                  });
                }),
            )
            .then(
              () => res.end(),
              () => res.destroy(),
            );
        },
        (err: Error) => send(500, "text/plain; charset=utf-8", `metrics failed: ${err.message}\n`),
      );
      return;
    }
    if (path === "/healthz") {
      const health = { status: "ok", ...opts.health() };
      return send(health.status === "ok" ? 200 : 503, "application/json; charset=utf-8", JSON.stringify(health));
    }
    send(404, "application/json", JSON.stringify({ error: `no route ${path}; the agent serves /metrics and /healthz` }));
  });
  // Nothing moving on a connection for idleMs: node destroys the socket (no "timeout" listener here).
  server.setTimeout(t.idleMs);
  return {
    listen: ({ host, port }) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const a = server.address() as AddressInfo;
          resolve(`http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function splitHostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(":");
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(listen.slice(i + 1)) };
}
