import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { z } from "zod";
import type { CollectorContext } from "../context.ts";
import type { StoreHealth } from "../store/health.ts";
import { clusterView } from "../cluster/view.ts";
import { formatInstant } from "../domain/index.ts";
import { PUBLIC, READERS } from "./auth.ts";
import { queryProblem } from "./validate.ts";

const auditQuery = z.strictObject({ fault: z.string().optional() });

/** Who am I, which agents report, the audit trail; and the open /metrics and /healthz. */
export async function systemRoutes(app: FastifyInstance, ctx: CollectorContext & { registry: Registry; storeHealth: StoreHealth }): Promise<void> {
  app.get("/api/v1/me", { config: { allow: READERS } }, async (req) => ({ principal: req.principal }));

  app.get("/api/v1/agents", { config: { allow: READERS } }, async () => ({
    agents: (await ctx.store.agents()).map((a) => ({
      id: a.id,
      up: !a.down,
      last_seen: formatInstant(a.lastSeen, ctx.policy.timezone),
      heartbeat_seconds: a.intervalSeconds,
    })),
  }));

  app.get("/api/v1/audit", { config: { allow: READERS } }, async (req, reply) => {
    const q = auditQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: "bad_request", message: queryProblem(q.error) });
    return { entries: await ctx.store.audit({ faultId: q.data.fault }) };
  });

  // The nodes of an active/standby cluster as the database sees them (a standby answers this too).
  app.get("/api/v1/cluster", { config: { allow: READERS } }, async () => {
    if (!ctx.cluster) return { ha: false, nodes: [] };
    const status = await ctx.cluster.leaseStore.status();
    return {
      ha: true,
      this_node: ctx.cluster.me.node,
      nodes: clusterView(status, ctx.cluster.settings.failoverSeconds, ctx.policy.timezone),
    };
  });

  app.get("/metrics", { config: { allow: PUBLIC.probe } }, async (_req, reply) => {
    reply.header("content-type", ctx.registry.contentType);
    return ctx.registry.metrics();
  });

  // 503 with the reason when the store cannot take writes: a load balancer or systemd watchdog then
  // sees what the agents see (their events refused), instead of "ok" over a damaged file.
  app.get("/healthz", { config: { allow: PUBLIC.probe } }, async (_req, reply) => {
    const store = await ctx.storeHealth.probe(ctx.clock.now());
    const cluster = ctx.cluster ? { cluster: ctx.cluster.health() } : {};
    if (store.ok) return { status: "ok", store, ...cluster };
    ctx.logger.error({ reason: store.reason }, "health check: the store cannot take writes");
    return reply.code(503).send({ status: "unavailable", store, ...cluster });
  });
}
