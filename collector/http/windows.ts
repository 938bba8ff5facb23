import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { CollectorContext } from "../context.ts";
import { parseInstant } from "../domain/index.ts";
import { actorOf, READERS } from "./auth.ts";
import { presentWindow, sendDomainError } from "./present.ts";
import { parseBody } from "./validate.ts";

const instant = z.string().refine((s) => parseInstant(s) !== undefined, "expected ISO 8601 with an offset, e.g. 2026-12-01T02:00:00+08:00");

const windowBody = z
  .strictObject({
    devices: z.array(z.string().min(1)).default([]),
    zones: z.array(z.string().min(1)).default([]),
    start: instant,
    end: instant,
    reason: z.string().min(1).max(2000),
  })
  .refine((w) => w.devices.length + w.zones.length > 0, { message: "name at least one device or zone", path: ["devices"] })
  .refine((w) => parseInstant(w.end)! > parseInstant(w.start)!, { message: "end must be after start", path: ["end"] });

/** Maintenance windows (facility managers): announced now; under 48 h notice is flagged, not refused. */
export async function windowRoutes(app: FastifyInstance, ctx: CollectorContext): Promise<void> {
  app.get("/api/v1/windows", { config: { allow: READERS } }, async () => ({
    windows: ctx.faults.windows().map((w) => presentWindow(w, ctx.policy)),
  }));

  app.post("/api/v1/windows", { config: { allow: { roles: ["facility_manager"] } } }, async (req, reply) => {
    const body = parseBody(windowBody, req.body, reply);
    if (!body) return reply;
    const now = ctx.clock.now();
    const windowId = `W-${now.toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    const res = await ctx.faults.dispatch({
      type: "window",
      at: now,
      windowId,
      devices: body.devices,
      zones: body.zones,
      start: parseInstant(body.start)!,
      end: parseInstant(body.end)!,
      announced: now,
      reason: body.reason,
      by: actorOf(req),
    });
    if (!res.ok) return sendDomainError(reply, res.error);
    const window = ctx.faults.windows().find((w) => w.id === windowId)!;
    return reply.code(201).send({ window: presentWindow(window, ctx.policy) });
  });
}
