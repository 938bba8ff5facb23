import type { FastifyInstance } from "fastify";
import { eventBatchSchema, type EventBatchReply } from "../../common/wire.ts";
import type { CollectorContext } from "../context.ts";
import { parseBody } from "./validate.ts";

/**
 * POST /api/v1/events: agents deliver condition changes and heartbeats. Each event id is recorded
 * with its effect in one transaction, so a redelivered event is acknowledged and changes nothing.
 */
export async function ingestRoutes(app: FastifyInstance, ctx: CollectorContext): Promise<void> {
  app.post("/api/v1/events", { config: { allow: { agents: true } }, bodyLimit: 4 * 1024 * 1024 }, async (req, reply) => {
    const batch = parseBody(eventBatchSchema, req.body, reply);
    if (!batch) return reply;
    const principal = req.principal!;
    if (principal.kind !== "agent" || principal.id !== batch.agent)
      return reply.code(403).send({ error: "forbidden", message: `this token belongs to another agent than ${batch.agent}` });
    const out: EventBatchReply = { accepted: 0, duplicates: 0 };
    const now = ctx.clock.now();
    for (const event of batch.events) {
      ctx.store.db.transaction(() => {
        if (!ctx.store.rememberEvent(event.id, batch.agent, event.type, now, event)) {
          out.duplicates += 1;
          return;
        }
        out.accepted += 1;
        ctx.metrics.eventsReceived.inc({ type: event.type });
        if (event.type === "heartbeat") {
          ctx.liveness.heartbeat(batch.agent, Date.parse(event.at), event.interval);
          return;
        }
        const res = ctx.faults.dispatch({
          type: "condition",
          eventId: event.id,
          at: Date.parse(event.observedAt),
          device: event.device,
          condition: event.condition,
          labels: event.labels,
          state: event.state,
          classHint: event.classHint,
          title: event.title,
        });
        if (!res.ok) req.log.warn({ event: event.id, error: res.error }, "event not applied");
      })();
    }
    ctx.metrics.eventsDuplicate.inc(out.duplicates);
    return out;
  });
}
