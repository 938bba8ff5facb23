import type { FastifyInstance } from "fastify";
import type { CollectorContext } from "../context.ts";
import { kpiFor, kpiOut, parsePeriod, quarterOf } from "../domain/index.ts";
import { READERS } from "./auth.ts";
import { sendDomainError } from "./present.ts";

/** GET /api/v1/kpi?period=2026Q1 (or 2026-03; default: the current quarter in the site's zone). */
export async function kpiRoutes(app: FastifyInstance, ctx: CollectorContext): Promise<void> {
  app.get<{ Querystring: { period?: string } }>("/api/v1/kpi", { config: { allow: READERS } }, async (req, reply) => {
    const now = ctx.clock.now();
    const text = req.query.period ?? quarterOf(now, ctx.policy.timezone);
    const period = parsePeriod(text, ctx.policy.timezone);
    if (!("start" in period)) return sendDomainError(reply, period);
    return { kpi: kpiOut(kpiFor(period, ctx.faults.faults(), ctx.policy, now), ctx.policy.timezone) };
  });
}
