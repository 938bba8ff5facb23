import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";

/** The agent's own HTTP face: /metrics for Prometheus and /healthz for systemd and the demo. */
export function buildAgentServer(opts: { registry: Registry; health: () => Record<string, unknown> }): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", opts.registry.contentType);
    return opts.registry.metrics();
  });
  app.get("/healthz", async () => ({ status: "ok", ...opts.health() }));
  return app;
}

export function splitHostPort(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(":");
  return { host: listen.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(listen.slice(i + 1)) };
}
