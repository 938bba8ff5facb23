import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { CollectorContext } from "../context.ts";
import { kpiOut, parsePeriod, quarterOf } from "../domain/index.ts";
import { READERS } from "./auth.ts";
import { sendDomainError } from "./present.ts";
import { queryProblem } from "./validate.ts";

const kpiQuery = z.strictObject({ period: z.string().optional() });

/** GET /api/v1/kpi?period=2026Q1 (or 2026-03; default: the current quarter in the site's zone). */
export async function kpiRoutes(app: FastifyInstance, ctx: CollectorContext): Promise<void> {
  app.get("/api/v1/kpi", { config: { allow: READERS } }, async (req, reply) => {
    const q = kpiQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send({ error: "bad_request", message: queryProblem(q.error) });
    const now = ctx.clock.now();
    const text = q.data.period ?? quarterOf(now, ctx.policy.timezone);
    const period = parsePeriod(text, ctx.policy.timezone);
    if (!("start" in period)) return sendDomainError(reply, period);
    // The audit trail's head beside the figures: whoever keeps this report keeps a head that
    // `watchfloor audit verify --expect-head` checks the trail against, outside the store.
    const head = await ctx.store.auditHead();
    return {
      kpi: kpiOut(await ctx.faults.kpi(period, now), ctx.policy.timezone),
      audit_head: head ? { seq: head.seq, hash: head.hash } : null,
    };
  });
}
