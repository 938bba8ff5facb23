import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { CollectorTls } from "../tls.ts";

/**
 * How long a client may take to send its request. The collector faces agents, browsers and whatever
 * else reaches its port: a client that dribbles its headers (slowloris), sends a body a byte at a time,
 * or connects and says nothing would otherwise hold a socket for ever (fastify sets no request timeout
 * of its own). Answers are not limited: the board's server-sent events stay open as long as the browser
 * reads them.
 */
export interface CollectorServerTimeouts {
  /** The request line and headers must have arrived within this (a 408 otherwise). */
  headersMs: number;
  /** The whole request, body included, within this: an agent's 4 MB batch over a slow link fits. */
  requestMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveMs: number;
}

export const COLLECTOR_SERVER_TIMEOUTS: CollectorServerTimeouts = {
  headersMs: 15_000,
  requestMs: 60_000,
  keepAliveMs: 72_000,
};

/** fastify's serverFactory: node's HTTP or HTTPS server with the timeouts above. */
export function collectorServerFactory(tls: CollectorTls | undefined, timeouts: Partial<CollectorServerTimeouts> = {}) {
  const t = { ...COLLECTOR_SERVER_TIMEOUTS, ...timeouts };
  const options = {
    headersTimeout: t.headersMs,
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    // node checks the two request timeouts on this period (30 s by default, which would double the first).
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, t.headersMs / 4)),
  };
  return (handler: RequestListener): Server =>
    tls
      ? (createHttpsServer({ ...options, cert: tls.cert, key: tls.key.reveal() }, handler) as unknown as Server)
      : createHttpServer(options, handler);
}
